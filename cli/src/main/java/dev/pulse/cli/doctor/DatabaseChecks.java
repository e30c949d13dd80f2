package dev.pulse.cli.doctor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * PostgreSQL checks, run as the runtime role itself so that they see what it can do. Tenant
 * tables are found from the catalog: every table with a {@code tenant_id} column that is in
 * schema {@code pulse} or that the runtime role can reach at all.
 */
final class DatabaseChecks {
    static final String ROLE = "runtime role";
    static final String RLS = "row-level security";
    static final String POLICIES = "tenant policies";
    static final String KEYS = "tenant_id leads keys and indexes";
    static final String TENANT_FUNCTION = "pulse.current_tenant_id()";
    static final String DEFINERS = "views and SECURITY DEFINER functions";

    /** tenant_id = (SELECT [pulse.]current_tenant_id() ...) as PostgreSQL deparses it. */
    private static final Pattern WRAPPED = Pattern.compile(
            "^\\(*tenant_id = \\( ?SELECT (pulse\\.)?current_tenant_id\\(\\)( AS current_tenant_id)?\\)\\)*$", Pattern.CASE_INSENSITIVE);

    private final Connection runtime;
    private final DoctorReport report;

    DatabaseChecks(Connection runtime, DoctorReport report) {
        this.runtime = runtime;
        this.report = report;
    }

    record TenantTable(long oid, String name, boolean enabled, boolean forced) {
    }

    void run() throws SQLException {
        checkRole();
        List<TenantTable> tables = tenantTables();
        checkRowLevelSecurity(tables);
        checkPolicies(tables);
        checkKeysAndIndexes(tables);
        checkTenantFunction();
        checkDefiners();
        new SplinterChecks(runtime, report).run();
        new SharedChannelChecks(runtime, report).run();
    }

    private void checkRole() throws SQLException {
        report.check(ROLE);
        try (Statement st = runtime.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            String role = rs.getString(1);
            if (rs.getBoolean(2)) {
                report.find(ROLE, role, "is a superuser", "connect services as pulse_app");
            }
            if (rs.getBoolean(3)) {
                report.find(ROLE, role, "has BYPASSRLS", "ALTER ROLE " + role + " NOBYPASSRLS");
            }
        }
        query("""
                SELECT 'schema ' || n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n
                 WHERE n.nspname LIKE 'pulse%' AND pg_has_role(current_user, n.nspowner, 'MEMBER')
                UNION ALL
                SELECT 'relation ' || n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner) FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname LIKE 'pulse%' AND pg_has_role(current_user, c.relowner, 'MEMBER')
                UNION ALL
                SELECT 'function ' || p.oid::regprocedure::text, pg_get_userbyid(p.proowner) FROM pg_proc p
                  JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname LIKE 'pulse%' AND pg_has_role(current_user, p.proowner, 'MEMBER')""",
                rs -> report.find(ROLE, rs.getString(1), "is owned by " + rs.getString(2)
                        + ", which the runtime role is or is a member of", "make the admin role the owner; REVOKE the membership"));
    }

    private List<TenantTable> tenantTables() throws SQLException {
        List<TenantTable> tables = new ArrayList<>();
        query("""
                SELECT c.oid, n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity
                  FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND (n.nspname = 'pulse'
                        OR (has_schema_privilege(current_user, n.oid, 'USAGE')
                            AND has_table_privilege(current_user, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')))
                 ORDER BY 2""",
                rs -> tables.add(new TenantTable(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4))));
        return tables;
    }

    private void checkRowLevelSecurity(List<TenantTable> tables) throws SQLException {
        report.check(RLS);
        for (TenantTable t : tables) {
            if (!t.enabled()) {
                report.find(RLS, t.name(), "row-level security is not enabled", "ALTER TABLE " + t.name() + " ENABLE ROW LEVEL SECURITY");
            }
            if (!t.forced()) {
                report.find(RLS, t.name(), "row-level security is not forced", "ALTER TABLE " + t.name() + " FORCE ROW LEVEL SECURITY");
            }
            for (String privilege : List.of("TRUNCATE", "REFERENCES", "TRIGGER")) {
                try (PreparedStatement ps = runtime.prepareStatement("SELECT has_table_privilege(current_user, ?::oid, ?)")) {
                    ps.setLong(1, t.oid());
                    ps.setString(2, privilege);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getBoolean(1)) {
                            report.find(ROLE, t.name(), "the runtime role holds " + privilege, "REVOKE " + privilege + " ON " + t.name() + " FROM " + currentUser());
                        }
                    }
                }
            }
        }
    }

    private void checkPolicies(List<TenantTable> tables) throws SQLException {
        report.check(POLICIES);
        for (TenantTable t : tables) {
            List<String[]> applying = new ArrayList<>();
            try (PreparedStatement ps = runtime.prepareStatement("""
                    SELECT pol.polname, pol.polcmd::text, pol.polpermissive,
                           pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid),
                           0 = ANY (pol.polroles) AS to_public,
                           EXISTS (SELECT 1 FROM unnest(pol.polroles) r WHERE r <> 0 AND pg_has_role(current_user, r, 'MEMBER')) AS to_runtime
                      FROM pg_policy pol WHERE pol.polrelid = ?::oid ORDER BY pol.polname""")) {
                ps.setLong(1, t.oid());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getBoolean(6) || rs.getBoolean(7)) {
                            applying.add(new String[] {rs.getString(1), rs.getString(2), Boolean.toString(rs.getBoolean(3)),
                                rs.getString(4), rs.getString(5), Boolean.toString(rs.getBoolean(6))});
                        }
                    }
                }
            }
            boolean hasGoodAllPolicy = false;
            for (String[] p : applying) {
                String name = t.name() + " policy " + p[0];
                String using = normalise(p[3]);
                String check = normalise(p[4]);
                if (Boolean.parseBoolean(p[5])) {
                    report.find(POLICIES, name, "applies to PUBLIC", "recreate it TO pulse_app");
                }
                if (!"*".equals(p[1])) {
                    report.find(POLICIES, name, "covers one command (" + p[1] + ") instead of ALL", "use FOR ALL with USING and WITH CHECK");
                }
                checkExpression(name, "USING", using);
                if (p[4] == null && "*".equals(p[1])) {
                    report.find(POLICIES, name, "has no WITH CHECK", "add WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()))");
                } else if (p[4] != null) {
                    checkExpression(name, "WITH CHECK", check);
                }
                if ("*".equals(p[1]) && p[3] != null && p[4] != null && WRAPPED.matcher(using).matches() && WRAPPED.matcher(check).matches()) {
                    hasGoodAllPolicy = true;
                }
            }
            if (!hasGoodAllPolicy) {
                report.find(POLICIES, t.name(), "has no FOR ALL policy for the runtime role with USING and WITH CHECK on the bound tenant",
                        "CREATE POLICY tenant_isolation ON " + t.name() + " FOR ALL TO pulse_app USING (tenant_id = (SELECT pulse.current_tenant_id())) "
                                + "WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()))");
            }
        }
    }

    private void checkExpression(String policy, String clause, String expression) {
        if (expression == null) {
            report.find(POLICIES, policy, "has no " + clause + " expression", "add " + clause + " (tenant_id = (SELECT pulse.current_tenant_id()))");
            return;
        }
        if (expression.equalsIgnoreCase("true") || expression.matches("(?i)\\(*true\\)*")) {
            report.find(POLICIES, policy, clause + " is true: every row of every tenant", "USING (tenant_id = (SELECT pulse.current_tenant_id()))");
        } else if (expression.toUpperCase(java.util.Locale.ROOT).contains(" OR ")) {
            report.find(POLICIES, policy, clause + " has an OR, which can admit rows when no tenant is bound: " + expression,
                    "compare tenant_id to the bound tenant only");
        } else if (!WRAPPED.matcher(expression).matches()) {
            report.find(POLICIES, policy, clause + " is not tenant_id = (SELECT pulse.current_tenant_id()): " + expression,
                    "wrap the tenant function in (SELECT ...) so it runs once per statement");
        }
    }

    private void checkKeysAndIndexes(List<TenantTable> tables) throws SQLException {
        report.check(KEYS);
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
                            report.find(KEYS, t.name() + " " + kind + " " + rs.getString(1), "does not start with tenant_id",
                                    "recreate it with tenant_id as its first column");
                        }
                    }
                }
            }
            if (!hasPrimaryKey[0]) {
                report.find(KEYS, t.name(), "has no primary key", "add PRIMARY KEY (tenant_id, ...)");
            }
            try (PreparedStatement ps = runtime.prepareStatement("""
                    SELECT i.indexrelid::regclass::text,
                           (SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = i.indkey[0])
                      FROM pg_index i WHERE i.indrelid = ?::oid""")) {
                ps.setLong(1, t.oid());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!"tenant_id".equals(rs.getString(2))) {
                            report.find(KEYS, t.name() + " index " + rs.getString(1), "does not start with tenant_id",
                                    "recreate it with tenant_id as its first column");
                        }
                    }
                }
            }
        }
    }

    private void checkTenantFunction() throws SQLException {
        report.check(TENANT_FUNCTION);
        boolean exists = false;
        try (Statement st = runtime.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT provolatile FROM pg_proc WHERE oid = to_regprocedure('pulse.current_tenant_id()')")) {
            if (rs.next()) {
                exists = true;
                if (!"s".equals(rs.getString(1))) {
                    report.find(TENANT_FUNCTION, "pulse.current_tenant_id()", "is not STABLE", "CREATE OR REPLACE it as STABLE");
                }
            }
        }
        if (!exists) {
            report.find(TENANT_FUNCTION, "pulse.current_tenant_id()", "does not exist", "run pulse migrate");
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
            report.find(TENANT_FUNCTION, "pulse.current_tenant_id()", "fails when called: " + e.getMessage(), "fix the function");
        } finally {
            runtime.rollback();
            runtime.setAutoCommit(autoCommit);
        }
    }

    private void expectNull(Statement st, String situation) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT pulse.current_tenant_id()")) {
            rs.next();
            if (rs.getObject(1) != null) {
                report.find(TENANT_FUNCTION, "pulse.current_tenant_id()", "returns " + rs.getObject(1) + " for " + situation + " instead of NULL",
                        "return NULLIF(current_setting('app.current_tenant_id', true), '')::uuid");
            }
        }
    }

    private void checkDefiners() throws SQLException {
        report.check(DEFINERS);
        query("""
                SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND (n.nspname LIKE 'pulse%' OR has_schema_privilege(current_user, n.oid, 'USAGE'))
                   AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true']
                                 OR c.reloptions @> ARRAY['security_invoker=on']
                                 OR c.reloptions @> ARRAY['security_invoker=1'], false)""",
                rs -> report.find(DEFINERS, "view " + rs.getString(1), "is not security_invoker: it reads with its owner's rights",
                        "ALTER VIEW " + rs.getString(1) + " SET (security_invoker = true)"));
        query("""
                SELECT p.oid::regprocedure::text,
                       coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'), false),
                       has_function_privilege('public', p.oid, 'EXECUTE')
                  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE p.prosecdef AND n.nspname LIKE 'pulse%' ORDER BY 1""",
                rs -> {
                    if (!rs.getBoolean(2)) {
                        report.find(DEFINERS, "function " + rs.getString(1), "is SECURITY DEFINER without a fixed search_path",
                                "ALTER FUNCTION " + rs.getString(1) + " SET search_path = pg_catalog, pg_temp");
                    }
                    if (rs.getBoolean(3)) {
                        report.find(DEFINERS, "function " + rs.getString(1), "is SECURITY DEFINER and executable by PUBLIC",
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

    @FunctionalInterface
    interface RowHandler {
        void handle(ResultSet rs) throws SQLException;
    }

    private void query(String sql, RowHandler handler) throws SQLException {
        try (Statement st = runtime.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                handler.handle(rs);
            }
        }
    }
}
