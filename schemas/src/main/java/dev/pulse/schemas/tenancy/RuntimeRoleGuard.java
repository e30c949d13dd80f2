package dev.pulse.schemas.tenancy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The start-up guard: a service refuses to run when row-level security could not protect it.
 * That is the case when its role is a superuser, has BYPASSRLS, owns (or is a member of a role
 * that owns) a table in a pulse schema, or when a tenant-owned table (one in schema {@code pulse}
 * with a {@code tenant_id} column) lacks ENABLE or FORCE ROW LEVEL SECURITY, or when it may
 * execute a SECURITY DEFINER function beyond {@link #RUNTIME_DEFINER_FUNCTIONS} (the operator
 * functions above all: they belong to {@code pulse_operator}, see {@link #checkOperator}).
 */
public final class RuntimeRoleGuard {
    /**
     * The SECURITY DEFINER functions the runtime role may execute: the two exact-match lookups a
     * request needs before its tenant is known, and the audit append, which refuses an entry
     * about any tenant but the bound one. Named as {@link #EXECUTABLE_DEFINERS_SQL} prints them.
     */
    public static final Set<String> RUNTIME_DEFINER_FUNCTIONS = Set.of(
            "pulse.tenant_for_api_key(text)", "pulse.tenant_for_slug(text)", "pulse.record_audit(text, text, uuid, jsonb)");

    /** The operator functions: cross-tenant reads that only {@code pulse_operator} may execute. */
    public static final Set<String> OPERATOR_FUNCTIONS = Set.of(
            "pulse.operator_tenant_directory()", "pulse.operator_audit_log(uuid, integer)");

    /**
     * The SECURITY DEFINER functions in a pulse schema that the connected role may execute, each
     * as {@code schema.name(argument types)} whatever the search_path.
     */
    public static final String EXECUTABLE_DEFINERS_SQL = """
            SELECT n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')'
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.prosecdef AND n.nspname LIKE 'pulse%' AND has_function_privilege(current_user, p.oid, 'EXECUTE')
             ORDER BY 1""";

    private RuntimeRoleGuard() {
    }

    public static void check(DataSource dataSource) {
        List<String> problems = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                String role = rs.getString(1);
                if (rs.getBoolean(2)) {
                    problems.add("the runtime role '" + role + "' is a superuser; connect as pulse_app");
                }
                if (rs.getBoolean(3)) {
                    problems.add("the runtime role '" + role + "' has BYPASSRLS; run ALTER ROLE " + role + " NOBYPASSRLS");
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT n.nspname || '.' || cl.relname, pg_get_userbyid(cl.relowner)
                      FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                     WHERE n.nspname LIKE 'pulse%' AND cl.relkind IN ('r', 'p', 'v', 'm')
                       AND pg_has_role(current_user, cl.relowner, 'MEMBER')
                     ORDER BY 1""");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    problems.add("the runtime role owns or is a member of the owner ('" + rs.getString(2) + "') of " + rs.getString(1)
                            + "; tables must belong to the admin role");
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT n.nspname || '.' || cl.relname, cl.relrowsecurity, cl.relforcerowsecurity
                      FROM pg_class cl
                      JOIN pg_namespace n ON n.oid = cl.relnamespace
                      JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                     WHERE n.nspname = 'pulse' AND cl.relkind IN ('r', 'p')
                     ORDER BY 1""");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!rs.getBoolean(2) || !rs.getBoolean(3)) {
                        problems.add("tenant table " + rs.getString(1) + " lacks "
                                + (!rs.getBoolean(2) ? "ENABLE" : "FORCE") + " ROW LEVEL SECURITY; run ALTER TABLE "
                                + rs.getString(1) + " ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY");
                    }
                }
            }
            for (String function : executableDefiners(c)) {
                if (!RUNTIME_DEFINER_FUNCTIONS.contains(function)) {
                    problems.add("the runtime role may execute the SECURITY DEFINER function " + function
                            + (OPERATOR_FUNCTIONS.contains(function) ? ", an operator function" : "")
                            + "; run REVOKE EXECUTE ON FUNCTION " + function + " FROM PUBLIC, pulse_app");
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException("start-up guard could not inspect the database", e);
        }
        if (!problems.isEmpty()) {
            throw new UnsafeRuntimeRoleException("refusing to start: " + String.join("; ", problems));
        }
    }

    /**
     * The operator control plane's guard: its role is not a superuser, has no BYPASSRLS, owns
     * nothing in the pulse schemas, is neither the runtime role nor a member of it, holds no
     * privilege on any table there, and may execute the operator functions and no other
     * SECURITY DEFINER function.
     */
    public static void checkOperator(DataSource dataSource) {
        List<String> problems;
        try (Connection c = dataSource.getConnection()) {
            problems = operatorProblems(c);
        } catch (SQLException e) {
            throw new DatabaseException("start-up guard could not inspect the database as the operator role", e);
        }
        if (!problems.isEmpty()) {
            throw new UnsafeRuntimeRoleException("refusing to start: " + String.join("; ", problems));
        }
    }

    /** What {@link #checkOperator} refuses, found on a connection of the operator role (pulse doctor reports each). */
    public static List<String> operatorProblems(Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT current_user, rolsuper, rolbypassrls,
                       pg_has_role(current_user, 'pulse_app', 'MEMBER'),
                       EXISTS (SELECT 1 FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                                WHERE n.nspname LIKE 'pulse%' AND pg_has_role(current_user, cl.relowner, 'MEMBER')),
                       EXISTS (SELECT 1 FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                                WHERE n.nspname LIKE 'pulse%' AND cl.relkind IN ('r', 'p', 'v', 'm')
                                  AND has_table_privilege(current_user, cl.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
                  FROM pg_roles WHERE rolname = current_user""");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            String role = rs.getString(1);
            if (rs.getBoolean(2)) {
                problems.add("the operator role '" + role + "' is a superuser; connect as pulse_operator");
            }
            if (rs.getBoolean(3)) {
                problems.add("the operator role '" + role + "' has BYPASSRLS; run ALTER ROLE " + role + " NOBYPASSRLS");
            }
            if (rs.getBoolean(4)) {
                problems.add("the operator role '" + role + "' is (a member of) the runtime role pulse_app; connect as pulse_operator");
            }
            if (rs.getBoolean(5)) {
                problems.add("the operator role '" + role + "' owns (or is a member of the owner of) a relation in a pulse schema");
            }
            if (rs.getBoolean(6)) {
                problems.add("the operator role '" + role + "' holds a privilege on a table in a pulse schema; it reads through the operator functions only");
            }
        }
        List<String> executable = executableDefiners(c);
        for (String function : OPERATOR_FUNCTIONS) {
            if (!executable.contains(function)) {
                problems.add("the operator role may not execute " + function + "; run GRANT EXECUTE ON FUNCTION " + function + " TO pulse_operator");
            }
        }
        for (String function : executable) {
            if (!OPERATOR_FUNCTIONS.contains(function)) {
                problems.add("the operator role may execute the SECURITY DEFINER function " + function + ", which is not an operator function");
            }
        }
        return problems;
    }

    private static List<String> executableDefiners(Connection c) throws SQLException {
        List<String> functions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(EXECUTABLE_DEFINERS_SQL); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                functions.add(rs.getString(1));
            }
        }
        return functions;
    }
}
