package dev.pulse.cli.doctor;

import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.IsolationAudit;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;

/**
 * Audits a running deployment: PostgreSQL as the runtime role and the operator role's
 * narrowness as the operator role (both {@link IsolationAudit}, the rules the services' start-up
 * guard enforces, every finding reported), then Kafka and the lake (the tenant list from the
 * operator directory).
 */
public final class Doctor {
    private Doctor() {
    }

    /** {@code operatorDatabaseUrl}: {@code PULSE_OPERATOR_DATABASE_URL}. */
    public static DoctorReport audit(Infrastructure infrastructure, String operatorDatabaseUrl) throws InterruptedException {
        DoctorReport report = new DoctorReport();
        report.checkAll(IsolationAudit.RUNTIME_RULES);
        try (Connection runtime = DriverManager.getConnection(infrastructure.databaseUrl())) {
            report.addAll(IsolationAudit.runtimeRole(runtime));
        } catch (SQLException e) {
            report.report(IsolationAudit.RUNTIME_ROLE, "PostgreSQL", "cannot be inspected: " + e.getMessage(), "check PULSE_DATABASE_URL");
            return report;
        }
        report.checkAll(IsolationAudit.OPERATOR_RULES);
        try (Connection operator = DriverManager.getConnection(operatorDatabaseUrl)) {
            report.addAll(IsolationAudit.operatorRole(operator));
        } catch (SQLException e) {
            report.report(IsolationAudit.OPERATOR_ROLE, "PostgreSQL", "cannot be inspected as the operator role: " + e.getMessage(),
                    "check PULSE_OPERATOR_DATABASE_URL");
            return report;
        }
        try (TenantDatabase db = TenantDatabase.connect(infrastructure.databaseUrl(), 2, "doctor");
                OperatorDatabase operator = OperatorDatabase.connect(operatorDatabaseUrl, 1, "doctor-operator");
                Admin kafka = infrastructure.openKafkaAdmin();
                JdbcCatalog catalog = infrastructure.openCatalog()) {
            InfrastructureChecks checks = new InfrastructureChecks(db, operator, kafka, catalog, infrastructure.warehouse().location(), report);
            Map<TenantId, TenantRecord> tenants = checks.tenants();
            checks.checkTopics(tenants);
            checks.checkLake(tenants);
            checks.checkIngest(tenants);
            new ConsumerGroupChecks(kafka, report).checkOffsetsStable();
        }
        return report;
    }
}
