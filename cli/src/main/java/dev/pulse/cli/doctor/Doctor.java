package dev.pulse.cli.doctor;

import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.control.TenantRecord;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;

/** Audits a running deployment: PostgreSQL as the runtime role, then Kafka and the lake. */
public final class Doctor {
    private Doctor() {
    }

    public static DoctorReport audit(Infrastructure infrastructure) throws InterruptedException {
        DoctorReport report = new DoctorReport();
        try (Connection runtime = DriverManager.getConnection(infrastructure.databaseUrl())) {
            new DatabaseChecks(runtime, report).run();
        } catch (SQLException e) {
            report.find(DatabaseChecks.ROLE, "PostgreSQL", "cannot be inspected: " + e.getMessage(), "check PULSE_DATABASE_URL");
            return report;
        }
        try (TenantDatabase db = TenantDatabase.connect(infrastructure.databaseUrl(), 2, "doctor");
                Admin kafka = infrastructure.openKafkaAdmin();
                JdbcCatalog catalog = infrastructure.openCatalog()) {
            InfrastructureChecks checks = new InfrastructureChecks(db, kafka, catalog, infrastructure.warehouse(), report);
            Map<TenantId, TenantRecord> tenants = checks.tenants();
            checks.checkTopics(tenants);
            checks.checkLake(tenants);
            checks.checkIngest(tenants);
        }
        return report;
    }
}
