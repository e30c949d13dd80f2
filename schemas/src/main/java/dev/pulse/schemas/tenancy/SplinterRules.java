package dev.pulse.schemas.tenancy;

import dev.pulse.schemas.tenancy.Finding.Severity;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generic lints of Supabase's splinter that apply to Pulse, over every schema but
 * PostgreSQL's own, run as the runtime role: SECURITY DEFINER functions it may execute beyond the
 * exact-match lookups and the audit append; functions with a mutable {@code search_path}; tables
 * with row-level security enabled but no policy; permissive policies that are {@code true};
 * policies that call a function outside a {@code (SELECT ...)} (evaluated per row, not once per
 * statement); several permissive policies for the same role and command (they are OR-ed, so the
 * loosest wins). Security-definer views are checked in {@link RuntimeRoleRules}. Blocking: a
 * SECURITY DEFINER function in a pulse schema beyond the allowed ones.
 */
final class SplinterRules {
    private static final Finding.Rule DEFINER_REACH = IsolationAudit.DEFINER_REACH;
    private static final Finding.Rule SEARCH_PATH = IsolationAudit.SEARCH_PATH;
    private static final Finding.Rule POLICY_LINTS = IsolationAudit.POLICY_LINTS;

    /** Schemas that are PostgreSQL's own, not the deployment's. */
    private static final String USER_SCHEMA = """
            n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
            AND n.nspname NOT LIKE 'pg\\_temp\\_%'""";

    /** A function call: a (possibly qualified) name followed by an opening parenthesis. */
    private static final Pattern CALL = Pattern.compile("([A-Za-z_][A-Za-z0-9_$]*(?:\\.[A-Za-z_][A-Za-z0-9_$]*)?)\\s*\\(");
    /** Words that PostgreSQL prints before a parenthesis without being a function call. */
    private static final Set<String> NOT_CALLS = Set.of("any", "all", "some", "in", "exists", "and", "or", "not", "row", "array", "select",
            "coalesce", "nullif", "greatest", "least");

    private final AuditRun audit;

    SplinterRules(AuditRun audit) {
        this.audit = audit;
    }

    void run() throws SQLException {
        checkDefinerReach();
        checkSearchPaths();
        checkPolicies();
    }

    private void checkDefinerReach() throws SQLException {
        // Third column: the function lies in a pulse schema, where the start-up guard refuses it.
        audit.query("SELECT n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')', n.nspname LIKE 'pulse%' FROM pg_proc p"
                + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prosecdef AND " + USER_SCHEMA
                + " AND has_function_privilege(current_user, p.oid, 'EXECUTE')"
                + " AND (n.nspname LIKE 'pulse%' OR has_schema_privilege(current_user, n.oid, 'USAGE')) ORDER BY 1", rs -> {
                    String function = rs.getString(1);
                    Severity severity = rs.getBoolean(2) ? Severity.BLOCKING : Severity.REPORTED;
                    if (IsolationAudit.OPERATOR_FUNCTIONS.contains(function)) {
                        audit.find(DEFINER_REACH, severity, "function " + function,
                                "the runtime role may execute " + function + ", an operator function (it crosses tenants)",
                                "REVOKE EXECUTE ON FUNCTION " + function + " FROM PUBLIC, pulse_app; GRANT it TO pulse_operator only");
                    } else if (!IsolationAudit.RUNTIME_DEFINER_FUNCTIONS.contains(function)) {
                        audit.find(DEFINER_REACH, severity, "function " + function, "is SECURITY DEFINER and the runtime role may execute it; only "
                                + IsolationAudit.RUNTIME_DEFINER_FUNCTIONS.stream().sorted().toList() + " are allowed",
                                "REVOKE EXECUTE ON FUNCTION " + function + " FROM PUBLIC, pulse_app");
                    }
                });
    }

    private void checkSearchPaths() throws SQLException {
        audit.query("SELECT p.oid::regprocedure::text, p.prosecdef FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE " + USER_SCHEMA + " AND p.prokind IN ('f', 'p')"
                + " AND NOT coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\\_path=%'), false)"
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"
                + " ORDER BY 1", rs -> audit.report(SEARCH_PATH, "function " + rs.getString(1),
                        "has a mutable search_path: the caller's search_path decides which objects its unqualified names mean",
                        "ALTER FUNCTION " + rs.getString(1) + " SET search_path = pg_catalog, pg_temp"));
    }

    /** A policy's USING or WITH CHECK expression (null when it has none). */
    private record Clause(String keyword, String expression) {
    }

    private record Policy(String table, String name, String command, boolean permissive, List<Long> roles, String using, String check) {
        List<Clause> clauses() {
            return List.of(new Clause("USING", using), new Clause("WITH CHECK", check));
        }

        boolean overlaps(Policy other) {
            boolean commands = command.equals("*") || other.command.equals("*") || command.equals(other.command);
            boolean people = roles.contains(0L) || other.roles.contains(0L) || roles.stream().anyMatch(other.roles::contains);
            return commands && people;
        }
    }

    private void checkPolicies() throws SQLException {
        audit.query("SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity AND " + USER_SCHEMA
                + " AND NOT EXISTS (SELECT 1 FROM pg_policy pol WHERE pol.polrelid = c.oid) ORDER BY 1",
                rs -> audit.report(POLICY_LINTS, rs.getString(1), "has row-level security enabled but no policy: "
                        + "no role but the owner (and roles that bypass RLS) sees a row, which usually hides a missing grant design",
                        "add the policy it needs, or disable RLS if the table is not reachable by the runtime roles"));
        List<Policy> policies = new ArrayList<>();
        audit.query("SELECT n.nspname || '.' || c.relname, pol.polname, pol.polcmd::text, pol.polpermissive,"
                + " array_to_string(pol.polroles, ','), pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid)"
                + " FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE " + USER_SCHEMA + " ORDER BY 1, 2", rs -> {
                    List<Long> roles = new ArrayList<>();
                    for (String r : rs.getString(5).split(",")) {
                        roles.add(Long.parseLong(r));
                    }
                    policies.add(new Policy(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), roles, rs.getString(6), rs.getString(7)));
                });
        for (Policy p : policies) {
            String name = p.table() + " policy " + p.name();
            for (Clause clause : p.clauses()) {
                if (p.permissive() && clause.expression() != null && clause.expression().replaceAll("[()\\s]", "").equalsIgnoreCase("true")) {
                    audit.report(POLICY_LINTS, name, "is permissive with " + clause.keyword() + " (true): it admits every row",
                            "compare tenant_id with (SELECT pulse.current_tenant_id()), or drop the policy");
                }
            }
            for (Clause clause : p.clauses()) {
                String call = unwrappedCall(clause.expression());
                if (call != null) {
                    audit.report(POLICY_LINTS, name, clause.keyword() + " calls " + call + "() outside a (SELECT ...): it runs once per row, not once per statement",
                            "write (SELECT " + call + "(...)) in the policy");
                }
            }
        }
        for (int i = 0; i < policies.size(); i++) {
            for (int j = i + 1; j < policies.size(); j++) {
                Policy a = policies.get(i);
                Policy b = policies.get(j);
                if (a.table().equals(b.table()) && a.permissive() && b.permissive() && a.overlaps(b)) {
                    audit.report(POLICY_LINTS, a.table() + " policies " + a.name() + " and " + b.name(),
                            "are both permissive for the same role and command: permissive policies are OR-ed, so the looser one decides",
                            "keep one permissive policy per role and command; make additional conditions RESTRICTIVE");
                }
            }
        }
    }

    /** The first function called outside every {@code (SELECT ...)} of a policy expression, or null. */
    static String unwrappedCall(String expression) {
        if (expression == null) {
            return null;
        }
        String outside = withoutSubSelects(expression);
        Matcher m = CALL.matcher(outside);
        while (m.find()) {
            String name = m.group(1);
            boolean typeModifier = m.start() >= 2 && outside.startsWith("::", m.start() - 2);
            if (!typeModifier && !NOT_CALLS.contains(name.toLowerCase(Locale.ROOT))) {
                return name;
            }
        }
        return null;
    }

    /** The expression with every parenthesised sub-select, {@code ( SELECT ... )}, cut out. */
    static String withoutSubSelects(String expression) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < expression.length()) {
            char ch = expression.charAt(i);
            if (ch == '(' && expression.substring(i + 1).stripLeading().regionMatches(true, 0, "SELECT", 0, 6)) {
                int depth = 0;
                int j = i;
                for (; j < expression.length(); j++) {
                    char cj = expression.charAt(j);
                    if (cj == '(') {
                        depth++;
                    } else if (cj == ')' && --depth == 0) {
                        break;
                    }
                }
                out.append("(subselect)");
                i = j + 1;
            } else {
                out.append(ch);
                i++;
            }
        }
        return out.toString().replace("(subselect)", "");
    }
}
