package dev.pulse.schemas.tenancy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * Pulse's PostgreSQL isolation rules, written once. Run on a connection of the runtime role
 * ({@link #runtimeRole}) or of the operator role ({@link #operatorRole}), it returns one
 * {@link Finding} per broken rule. Two callers: the start-up guard ({@link RuntimeRoleGuard})
 * refuses to start on any {@link Finding.Severity#BLOCKING} finding, and {@code pulse doctor}
 * prints every finding (and adds its own for Kafka and the lake).
 *
 * <p>Blocking is what DESIGN.md makes a service refuse: a runtime role that is a superuser, has
 * BYPASSRLS, owns (or is a member of the owner of) a table or view in a pulse schema, may execute
 * a SECURITY DEFINER function in a pulse schema beyond {@link #RUNTIME_DEFINER_FUNCTIONS}, or a
 * tenant table in schema {@code pulse} without ENABLE or FORCE row-level security; and every
 * rule of the operator role. The rest (policies, keys, the tenant function, views, search paths,
 * splinter's lints, PostgreSQL's shared channels, tables reachable outside schema {@code pulse})
 * is reported.
 */
public final class IsolationAudit {
    /**
     * The SECURITY DEFINER functions the runtime role may execute: the two exact-match lookups a
     * request needs before its tenant is known, and the audit append, which refuses an entry
     * about any tenant but the bound one. Named as {@link #EXECUTABLE_DEFINERS_SQL} prints them.
     */
    public static final Set<String> RUNTIME_DEFINER_FUNCTIONS = Set.of(
            "pulse.tenant_for_api_key(text)", "pulse.tenant_for_slug(text)", "pulse.record_audit(text, text, uuid, jsonb)");

    /**
     * The operator functions that only {@code pulse_operator} may execute: the cross-tenant reads,
     * and the tenant deletion job's state, erasure of a deleted tenant's audit entries, tombstone and
     * traces check (V14).
     */
    public static final Set<String> OPERATOR_FUNCTIONS = Set.of(
            "pulse.operator_tenant_directory()", "pulse.operator_audit_log(uuid, integer)",
            "pulse.operator_deletion_job(text)", "pulse.operator_deletion_record(uuid, text, text, text, jsonb)",
            "pulse.operator_erase_tenant_audit(uuid)", "pulse.operator_finish_deletion(uuid, text, text)",
            "pulse.operator_tenant_traces(uuid)",
            "pulse.operator_audit_export(uuid, bigint, integer)");

    /**
     * The SECURITY DEFINER functions in a pulse schema that the connected role may execute, each
     * as {@code schema.name(argument types)} whatever the search_path.
     */
    public static final String EXECUTABLE_DEFINERS_SQL = """
            SELECT n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')'
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.prosecdef AND n.nspname LIKE 'pulse%' AND has_function_privilege(current_user, p.oid, 'EXECUTE')
             ORDER BY 1""";

    public static final Finding.Rule RUNTIME_ROLE = new Finding.Rule("runtime-role", "runtime role");
    public static final Finding.Rule ROW_LEVEL_SECURITY = new Finding.Rule("row-level-security", "row-level security");
    public static final Finding.Rule TENANT_POLICIES = new Finding.Rule("tenant-policies", "tenant policies");
    public static final Finding.Rule TENANT_KEYS = new Finding.Rule("tenant-keys", "tenant_id leads keys and indexes");
    public static final Finding.Rule TENANT_FUNCTION = new Finding.Rule("tenant-function", "pulse.current_tenant_id()");
    public static final Finding.Rule DEFINERS = new Finding.Rule("definers", "views and SECURITY DEFINER functions");
    public static final Finding.Rule DEFINER_REACH = new Finding.Rule("definer-reach", "SECURITY DEFINER functions the runtime role may execute");
    public static final Finding.Rule SEARCH_PATH = new Finding.Rule("search-path", "functions with a fixed search_path");
    public static final Finding.Rule POLICY_LINTS = new Finding.Rule("policy-lints", "policy lints");
    public static final Finding.Rule SHARED_CHANNELS = new Finding.Rule("shared-channels", "PostgreSQL channels shared between tenants");
    public static final Finding.Rule OPERATOR_ROLE = new Finding.Rule("operator-role", "operator role");

    /** Every rule {@link #runtimeRole} checks, in the order it checks them. */
    public static final List<Finding.Rule> RUNTIME_RULES = List.of(RUNTIME_ROLE, ROW_LEVEL_SECURITY, TENANT_POLICIES, TENANT_KEYS,
            TENANT_FUNCTION, DEFINERS, DEFINER_REACH, SEARCH_PATH, POLICY_LINTS, SHARED_CHANNELS);

    /** Every rule {@link #operatorRole} checks. */
    public static final List<Finding.Rule> OPERATOR_RULES = List.of(OPERATOR_ROLE);

    private IsolationAudit() {
    }

    /**
     * Audits the runtime role on {@code runtime}, a connection of that role (the tenant-function
     * rule runs in a transaction it rolls back; the connection's auto-commit is restored).
     */
    public static List<Finding> runtimeRole(Connection runtime) throws SQLException {
        AuditRun audit = new AuditRun(runtime);
        new RuntimeRoleRules(audit).run();
        new SplinterRules(audit).run();
        new SharedChannelRules(audit).run();
        return audit.findings();
    }

    /** Audits the operator role on {@code operator}, a connection of that role. */
    public static List<Finding> operatorRole(Connection operator) throws SQLException {
        AuditRun audit = new AuditRun(operator);
        new OperatorRoleRules(audit).run();
        return audit.findings();
    }
}
