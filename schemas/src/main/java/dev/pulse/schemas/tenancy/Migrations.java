package dev.pulse.schemas.tenancy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the SQL migrations with the admin URL, then gives the runtime, catalog and operator
 * roles LOGIN and the passwords found in their configured URLs (so one set of URLs is the single
 * truth). {@link #harden} closes what PostgreSQL shows every role (see {@code db/hardening.sql});
 * it needs a superuser, so {@link #apply} runs it only when the admin role is one.
 */
public final class Migrations {
    private static final Pattern ROLE = Pattern.compile("pulse_(app|catalog|operator)");

    private Migrations() {
    }

    public record MigrationResult(int applied, String schemaVersion, boolean hardened) {
    }

    public static MigrationResult apply(String adminUrl, String runtimeUrl, String catalogUrl, String operatorUrl) {
        MigrateResult result = Flyway.configure()
                .dataSource(adminUrl, null, null)
                .schemas("pulse_meta")
                .createSchemas(true)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        try (Connection admin = DriverManager.getConnection(adminUrl)) {
            grantLogin(admin, JdbcUrls.credentials(runtimeUrl), "pulse_app");
            grantLogin(admin, JdbcUrls.credentials(catalogUrl), "pulse_catalog");
            grantLogin(admin, JdbcUrls.credentials(operatorUrl), "pulse_operator");
            boolean superuser;
            try (Statement st = admin.createStatement();
                    ResultSet rs = st.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
                superuser = rs.next() && rs.getBoolean(1);
            }
            if (superuser) {
                harden(admin);
            }
            return new MigrationResult(result.migrationsExecuted, result.targetSchemaVersion, superuser);
        } catch (SQLException e) {
            throw new DatabaseException("could not set the login of pulse_app / pulse_catalog / pulse_operator", e);
        }
    }

    /**
     * Revokes from PUBLIC what PostgreSQL lets every role see across tenants: NOTIFY, large
     * objects, table statistics and sizes, other sessions' locks, the transaction counter
     * ({@code db/hardening.sql}). Idempotent. {@code superuserUrl} must reach Pulse's database.
     */
    public static void harden(String superuserUrl) {
        try (Connection superuser = DriverManager.getConnection(superuserUrl)) {
            harden(superuser);
        } catch (SQLException e) {
            throw new DatabaseException("could not revoke PostgreSQL's shared channels from PUBLIC (a superuser is needed)", e);
        }
    }

    private static void harden(Connection superuser) throws SQLException {
        String sql;
        try (InputStream in = Migrations.class.getResourceAsStream("/db/hardening.sql")) {
            if (in == null) {
                throw new IllegalStateException("db/hardening.sql is missing from the classpath");
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read db/hardening.sql", e);
        }
        try (Statement st = superuser.createStatement()) {
            st.execute(sql);
        }
    }

    private static void grantLogin(Connection admin, Map.Entry<String, String> credentials, String expectedRole) throws SQLException {
        String user = credentials.getKey();
        if (!expectedRole.equals(user) || !ROLE.matcher(user).matches()) {
            throw new DatabaseException("configuration error", new SQLException(
                    "the URL for " + expectedRole + " connects as '" + user + "'; it must connect as " + expectedRole));
        }
        // ALTER ROLE takes no bind parameters. With standard_conforming_strings (the default since
        // PostgreSQL 9.1) doubling single quotes is the complete escape of a literal.
        String literal = "'" + credentials.getValue().replace("'", "''") + "'";
        try (Statement st = admin.createStatement()) {
            st.execute("SET standard_conforming_strings = on");
            st.execute("ALTER ROLE " + user + " LOGIN PASSWORD " + literal);
        }
    }
}
