package dev.pulse.schemas.tenancy;

import dev.pulse.schemas.tenancy.Finding.Severity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The runtime role's own rules, run as that role so that they see what it can do: the role
 * itself, then every tenant table found from the catalog (a table with a {@code tenant_id}
 * column in schema {@code pulse} or that the runtime role can reach at all), the tenant function,
 * views and SECURITY DEFINER functions. What the start-up guard refuses is {@link Severity#BLOCKING}:
 * a superuser, BYPASSRLS, owning a table or view in a pulse schema, a tenant table in schema
 * {@code pulse} without ENABLE or FORCE row-level security.
 */
final class RuntimeRoleRules {
    private static final Finding.Rule ROLE = IsolationAudit.RUNTIME_ROLE;
    private static final Finding.Rule RLS = IsolationAudit.ROW_LEVEL_SECURITY;
    private static final Finding.Rule POLICIES = IsolationAudit.TENANT_POLICIES;
    private static final Finding.Rule KEYS = IsolationAudit.TENANT_KEYS;
    private static final Finding.Rule TENANT_FUNCTION = IsolationAudit.TENANT_FUNCTION;
    private static final Finding.Rule DEFINERS = IsolationAudit.DEFINERS;

    /** tenant_id = (SELECT [pulse.]current_tenant_id() ...) as PostgreSQL deparses it. */
    private static final Pattern WRAPPED = Pattern.compile(
            "^\\(*tenant_id = \\( ?SELECT (pulse\\.)?current_tenant_id\\(\\)( AS current_tenant_id)?\\)\\)*$", Pattern.CASE_INSENSITIVE);

    private final Connection runtime;
    private final AuditRun audit;

    RuntimeRoleRules(AuditRun audit) {
        this.runtime = audit.connection();
        this.audit = audit;
    }

    /** {@code inPulseSchema}: the tables the start-up guard holds to ENABLE + FORCE (the others, doctor reports). */
    record TenantTable(long oid, String name, boolean enabled, boolean forced, boolean inPulseSchema) {
        Severity severity() {
            return inPulseSchema ? Severity.BLOCKING : Severity.REPORTED;
        }
    }

    void run() throws SQLException {
        checkRole();
        List<TenantTable> tables = tenantTables();
        checkRowLevelSecurity(tables);
        checkPolicies(tables);
        checkKeysAndIndexes(tables);
        checkTenantFunction();
        checkDefiners();
    }

    private void checkRole() throws SQLException {
        try (Statement st = runtime.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            String role = rs.getString(1);
            if (rs.getBoolean(2)) {
                audit.block(ROLE, role, "is a superuser", "connect services as pulse_app");
            }
            if (rs.getBoolean(3)) {
                audit.block(ROLE, role, "has BYPASSRLS", "ALTER ROLE " + role + " NOBYPASSRLS");
            }
        }
        // Owning a table or a view (third column) stops a service: the owner is exempt from RLS unless forced, and may alter it.
        audit.query("""
                SELECT 'schema ' || n.nspname, pg_get_userbyid(n.nspowner), false FROM pg_namespace n
                 WHERE n.nspname LIKE 'pulse%' AND pg_has_role(current_user, n.nspowner, 'MEMBER')
                UNION ALL
                SELECT 'relation ' || n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner), c.relkind IN ('r', 'p', 'v', 'm') FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname LIKE 'pulse%' AND pg_has_role(current_user, c.relowner, 'MEMBER')
                UNION ALL
                SELECT 'function ' || p.oid::regprocedure::text, pg_get_userbyid(p.proowner), false FROM pg_proc p
                  JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname LIKE 'pulse%' AND pg_has_role(current_user, p.proowner, 'MEMBER')""",
                rs -> audit.find(ROLE, rs.getBoolean(3) ? Severity.BLOCKING : Severity.REPORTED, rs.getString(1), "is owned by " + rs.getString(2)
                        + ", which the runtime role is or is a member of", "make the admin role the owner; REVOKE the membership"));
    }

    private List<TenantTable> tenantTables() throws SQLException {
        List<TenantTable> tables = new ArrayList<>();
        audit.query("""
                SELECT c.oid, n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity, n.nspname = 'pulse'
                  FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND (n.nspname = 'pulse'
                        OR (has_schema_privilege(current_user, n.oid, 'USAGE')
                            AND has_table_privilege(current_user, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')))
                 ORDER BY 2""",
                rs -> tables.add(new TenantTable(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5))));
        return tables;
    }

    private void checkRowLevelSecurity(List<TenantTable> tables) throws SQLException {
        for (TenantTable t : tables) {
            if (!t.enabled()) {
                audit.find(RLS, t.severity(), t.name(), "row-level security is not enabled", "ALTER TABLE " + t.name() + " ENABLE ROW LEVEL SECURITY");
            }
            if (!t.forced()) {
                audit.find(RLS, t.severity(), t.name(), "row-level security is not forced", "ALTER TABLE " + t.name() + " FORCE ROW LEVEL SECURITY");
            }
            for (String privilege : List.of("TRUNCATE", "REFERENCES", "TRIGGER")) {
                try (PreparedStatement ps = runtime.prepareStatement("SELECT has_table_privilege(current_user, ?::oid, ?)")) {
                    ps.setLong(1, t.oid());
                    ps.setString(2, privilege);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getBoolean(1)) {
                            audit.report(ROLE, t.name(), "the runtime role holds " + privilege, "REVOKE " + privilege + " ON " + t.name() + " FROM " + currentUser());
                        }
                    }
                }
            }
        }
    }

    /** A policy that applies to the runtime role ({@code toPublic}: through PUBLIC); {@code command} as pg_policy.polcmd, '*' for ALL. */
    private record Policy(String name, String command, String using, String check, boolean toPublic) {
        boolean forAll() {
            return "*".equals(command);
        }
    }

    private void checkPolicies(List<TenantTable> tables) throws SQLException {
        for (TenantTable t : tables) {
            List<Policy> applying = new ArrayList<>();
            try (PreparedStatement ps = runtime.prepareStatement("""
                    SELECT pol.polname, pol.polcmd::text,
                           pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid),
                           0 = ANY (pol.polroles) AS to_public,
                           EXISTS (SELECT 1 FROM unnest(pol.polroles) r WHERE r <> 0 AND pg_has_role(current_user, r, 'MEMBER')) AS to_runtime
                      FROM pg_policy pol WHERE pol.polrelid = ?::oid ORDER BY pol.polname""")) {
                ps.setLong(1, t.oid());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getBoolean(5) || rs.getBoolean(6)) {
                            applying.add(new Policy(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5)));
                        }
                    }
                }
            }
            boolean hasGoodAllPolicy = false;
            for (Policy p : applying) {
                String name = t.name() + " policy " + p.name();
                String using = normalise(p.using());
                String check = normalise(p.check());
                if (p.toPublic()) {
                    audit.report(POLICIES, name, "applies to PUBLIC", "recreate it TO pulse_app");
                }
                if (!p.forAll()) {
                    audit.report(POLICIES, name, "covers one command (" + p.command() + ") instead of ALL", "use FOR ALL with USING and WITH CHECK");
                }
                checkExpression(name, "USING", using);
                if (p.check() == null && p.forAll()) {
                    audit.report(POLICIES, name, "has no WITH CHECK", "add WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()))");
                } else if (p.check() != null) {
                    checkExpression(name, "WITH CHECK", check);
                }
                if (p.forAll() && p.using() != null && p.check() != null && WRAPPED.matcher(using).matches() && WRAPPED.matcher(check).matches()) {
                    hasGoodAllPolicy = true;
                }
            }
            if (!hasGoodAllPolicy) {
                audit.report(POLICIES, t.name(), "has no FOR ALL policy for the runtime role with USING and WITH CHECK on the bound tenant",
                        "CREATE POLICY tenant_isolation ON " + t.name() + " FOR ALL TO pulse_app USING (tenant_id = (SELECT pulse.current_tenant_id())) "
                                + "WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()))");
            }
        }
    }

    private void checkExpression(String policy, String clause, String expression) {
        if (expression == null) {
            audit.report(POLICIES, policy, "has no " + clause + " expression", "add " + clause + " (tenant_id = (SELECT pulse.current_tenant_id()))");
            return;
        }
        if (expression.equalsIgnoreCase("true") || expression.matches("(?i)\\(*true\\)*")) {
            audit.report(POLICIES, policy, clause + " is true: every row of every tenant", "USING (tenant_id = (SELECT pulse.current_tenant_id()))");
        } else if (expression.toUpperCase(java.util.Locale.ROOT).contains(" OR ")) {
            audit.report(POLICIES, policy, clause + " has an OR, which can admit rows when no tenant is bound: " + expression,
                    "compare tenant_id to the bound tenant only");
        } else if (!WRAPPED.matcher(expression).matches()) {
            audit.report(POLICIES, policy, clause + " is not tenant_id = (SELECT pulse.current_tenant_id()): " + expression,
                    "wrap the tenant function in (SELECT ...) so it runs once per statement");
        }
    }

    private void checkKeysAndIndexes(List<TenantTable> tables) throws SQLException {
        for (TenantTable t : tables) {
            boolean[] hasPrimaryKey = {false};
            try (PreparedStatement ps = runtime.prepareStatement("""
                    SELECT con.conname, con.contype::text,
                           (SELECT attname FROM pg_attribute WHERE attrelid = con.conrelid AND attnum = con.conkey[1])
                      FROM pg_constraint con WHERE con.conrelid = ?::oid AND con.contype IN ('p', 'u', 'f')""")) {
                ps.setLong(1, t.oid());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String kind = switch (rs.getString(2)) {
                            case "p" -> "primary key";
                            case "u" -> "unique constraint";
                            default -> "foreign key";
                        };
                        hasPrimaryKey[0] |= rs.getString(2).equals("p");
                        if (!"tenant_id".equals(rs.getString(3))) {
                            audit.report(KEYS, t.name() + " " + kind + " " + rs.getString(1), "does not start with tenant_id",
                                    "recreate it with tenant_id as its first column");
                        }
                    }
                }
            }
            if (!hasPrimaryKey[0]) {
                audit.report(KEYS, t.name(), "has no primary key", "add PRIMARY KEY (tenant_id, ...)");
            }
            try (PreparedStatement ps = runtime.prepareStatement("""
                    SELECT i.indexrelid::regclass::text,
                           (SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = i.indkey[0])
                      FROM pg_index i WHERE i.indrelid = ?::oid""")) {
                ps.setLong(1, t.oid());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!"tenant_id".equals(rs.getString(2))) {
                            audit.report(KEYS, t.name() + " index " + rs.getString(1), "does not start with tenant_id",
                                    "recreate it with tenant_id as its first column");
                        }
                    }
                }
            }
        }
    }

    private void checkTenantFunction() throws SQLException {
        boolean exists = false;
        try (Statement st = runtime.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT provolatile FROM pg_proc WHERE oid = to_regprocedure('pulse.current_tenant_id()')")) {
            if (rs.next()) {
                exists = true;
                if (!"s".equals(rs.getString(1))) {
                    audit.report(TENANT_FUNCTION, "pulse.current_tenant_id()", "is not STABLE", "CREATE OR REPLACE it as STABLE");
                }
            }
        }
        if (!exists) {
            audit.report(TENANT_FUNCTION, "pulse.current_tenant_id()", "does not exist", "run pulse migrate");
            return;
        }
        boolean autoCommit = runtime.getAutoCommit();
        runtime.setAutoCommit(false);
        try (Statement st = runtime.createStatement()) {
            // This session never set it (the doctor opens its own connection): the setting is missing.
            expectNull(st, "a missing setting");
            st.execute("SELECT set_config('app.current_tenant_id', '', true)");
            expectNull(st, "an empty setting");
        } catch (SQLException e) {
            audit.report(TENANT_FUNCTION, "pulse.current_tenant_id()", "fails when called: " + e.getMessage(), "fix the function");
        } finally {
            runtime.rollback();
            runtime.setAutoCommit(autoCommit);
        }
    }

    private void expectNull(Statement st, String situation) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT pulse.current_tenant_id()")) {
            rs.next();
            if (rs.getObject(1) != null) {
                audit.report(TENANT_FUNCTION, "pulse.current_tenant_id()", "returns " + rs.getObject(1) + " for " + situation + " instead of NULL",
                        "return NULLIF(current_setting('app.current_tenant_id', true), '')::uuid");
            }
        }
    }

    private void checkDefiners() throws SQLException {
        audit.query("""
                SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND (n.nspname LIKE 'pulse%' OR has_schema_privilege(current_user, n.oid, 'USAGE'))
                   AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true']
                                 OR c.reloptions @> ARRAY['security_invoker=on']
                                 OR c.reloptions @> ARRAY['security_invoker=1'], false)""",
                rs -> audit.report(DEFINERS, "view " + rs.getString(1), "is not security_invoker: it reads with its owner's rights",
                        "ALTER VIEW " + rs.getString(1) + " SET (security_invoker = true)"));
        audit.query("""
                SELECT p.oid::regprocedure::text,
                       coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'), false),
                       has_function_privilege('public', p.oid, 'EXECUTE')
                  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE p.prosecdef AND n.nspname LIKE 'pulse%' ORDER BY 1""",
                rs -> {
                    if (!rs.getBoolean(2)) {
                        audit.report(DEFINERS, "function " + rs.getString(1), "is SECURITY DEFINER without a fixed search_path",
                                "ALTER FUNCTION " + rs.getString(1) + " SET search_path = pg_catalog, pg_temp");
                    }
                    if (rs.getBoolean(3)) {
                        audit.report(DEFINERS, "function " + rs.getString(1), "is SECURITY DEFINER and executable by PUBLIC",
                                "REVOKE EXECUTE ON FUNCTION " + rs.getString(1) + " FROM PUBLIC");
                    }
                });
    }

    private String currentUser() throws SQLException {
        try (Statement st = runtime.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String normalise(String expression) {
        return expression == null ? null : expression.replaceAll("\\s+", " ").strip();
    }
}
