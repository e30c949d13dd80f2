package dev.pulse.schemas.tenancy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the SQL migrations with the admin URL, then gives the runtime and catalog roles LOGIN
 * and the passwords found in their configured URLs (so one set of URLs is the single truth).
 */
public final class Migrations {
    private static final Pattern ROLE = Pattern.compile("pulse_(app|catalog)");

    private Migrations() {
    }

    public record MigrationResult(int applied, String schemaVersion) {
    }

    public static MigrationResult apply(String adminUrl, String runtimeUrl, String catalogUrl) {
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
        } catch (SQLException e) {
            throw new DatabaseException("could not set the login of pulse_app / pulse_catalog", e);
        }
        return new MigrationResult(result.migrationsExecuted, result.targetSchemaVersion);
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
