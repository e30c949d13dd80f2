package dev.pulse.control.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.testing.TestStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Migration V6 on a database that already has an audit log numbered from the shared sequence:
 * every entry keeps its place and gets its number within its tenant, and the next entry of each
 * tenant continues from there.
 */
class AuditNumberingMigrationIT {

    @Test
    void existingEntriesAreRenumberedPerTenantInTheirOrderAndNumberingContinues() throws Exception {
        TestStack stack = TestStack.shared();
        String database = "pulse_v6_" + Long.toHexString(System.nanoTime());
        try (Connection su = DriverManager.getConnection(stack.devStack().superuserJdbcUrl()); Statement st = su.createStatement()) {
            st.execute("CREATE DATABASE " + database + " OWNER pulse_admin");
        }
        String adminUrl = stack.environment().get("PULSE_ADMIN_DATABASE_URL").replaceFirst("/pulse\\?", "/" + database + "?");
        try {
            Flyway.configure().dataSource(adminUrl, null, null).schemas("pulse_meta").createSchemas(true)
                    .locations("classpath:db/migration").target("5").load().migrate();
            UUID a = UUID.randomUUID();
            UUID b = UUID.randomUUID();
            List<UUID> order = List.of(a, b, b, a, b, a, a);
            try (Connection owner = DriverManager.getConnection(adminUrl)) {
                owner.setAutoCommit(false);
                for (UUID tenant : order) {
                    try (PreparedStatement bind = owner.prepareStatement("SELECT set_config('app.current_tenant_id', ?, true)");
                            PreparedStatement append = owner.prepareStatement("SELECT pulse.record_audit('system', 'probe', ?, '{}'::jsonb)")) {
                        bind.setString(1, tenant.toString());
                        bind.execute();
                        append.setObject(1, tenant);
                        append.execute();
                    }
                    owner.commit();
                }
            }
            Flyway.configure().dataSource(adminUrl, null, null).schemas("pulse_meta")
                    .locations("classpath:db/migration").load().migrate();

            try (Connection owner = DriverManager.getConnection(adminUrl); Statement st = owner.createStatement()) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT tenant_id, seq FROM pulse_directory.audit_log ORDER BY at, seq")) {
                    while (rs.next()) {
                        rows.add((rs.getObject(1).equals(a) ? "a" : "b") + rs.getLong(2));
                    }
                }
                assertThat(rows).containsExactly("a1", "b1", "b2", "a2", "b3", "a3", "a4");
                owner.setAutoCommit(false);
                try (PreparedStatement bind = owner.prepareStatement("SELECT set_config('app.current_tenant_id', ?, true)")) {
                    bind.setString(1, b.toString());
                    bind.execute();
                }
                try (PreparedStatement record = owner.prepareStatement("SELECT pulse.record_audit('system', 'probe', ?::uuid, NULL)")) {
                    record.setString(1, b.toString());
                    try (ResultSet rs = record.executeQuery()) {
                        rs.next();
                        assertThat(rs.getLong(1)).isEqualTo(4);
                    }
                }
                owner.commit();
            }
        } finally {
            try (Connection su = DriverManager.getConnection(stack.devStack().superuserJdbcUrl()); Statement st = su.createStatement()) {
                st.execute("DROP DATABASE " + database + " WITH (FORCE)");
            }
        }
    }
}
