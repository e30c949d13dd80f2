package dev.pulse.schemas.tenancy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The start-up guard: a service refuses to run when row-level security could not protect it.
 * That is the case when its role is a superuser, has BYPASSRLS, owns (or is a member of a role
 * that owns) a table in a pulse schema, or when a tenant-owned table (one in schema {@code pulse}
 * with a {@code tenant_id} column) lacks ENABLE or FORCE ROW LEVEL SECURITY.
 */
public final class RuntimeRoleGuard {
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
        } catch (SQLException e) {
            throw new DatabaseException("start-up guard could not inspect the database", e);
        }
        if (!problems.isEmpty()) {
            throw new UnsafeRuntimeRoleException("refusing to start: " + String.join("; ", problems));
        }
    }
}
