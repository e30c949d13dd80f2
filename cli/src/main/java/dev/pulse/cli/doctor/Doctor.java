package dev.pulse.cli.doctor;

import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.RuntimeRoleGuard;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;

/**
 * Audits a running deployment: PostgreSQL as the runtime role, the operator role's narrowness
 * as the operator role, then Kafka and the lake (the tenant list from the operator directory).
 */
public final class Doctor {
    static final String OPERATOR_ROLE = "operator role";

    private Doctor() {
    }

    /** {@code operatorDatabaseUrl}: {@code PULSE_OPERATOR_DATABASE_URL}. */
    public static DoctorReport audit(Infrastructure infrastructure, String operatorDatabaseUrl) throws InterruptedException {
        DoctorReport report = new DoctorReport();
        try (Connection runtime = DriverManager.getConnection(infrastructure.databaseUrl())) {
            new DatabaseChecks(runtime, report).run();
        } catch (SQLException e) {
            report.find(DatabaseChecks.ROLE, "PostgreSQL", "cannot be inspected: " + e.getMessage(), "check PULSE_DATABASE_URL");
            return report;
        }
        report.check(OPERATOR_ROLE);
        try (Connection operator = DriverManager.getConnection(operatorDatabaseUrl)) {
            for (String problem : RuntimeRoleGuard.operatorProblems(operator)) {
                report.find(OPERATOR_ROLE, "pulse_operator", problem, "see the Isolation section of the README");
            }
        } catch (SQLException e) {
            report.find(OPERATOR_ROLE, "PostgreSQL", "cannot be inspected as the operator role: " + e.getMessage(), "check PULSE_OPERATOR_DATABASE_URL");
            return report;
        }
        try (TenantDatabase db = TenantDatabase.connect(infrastructure.databaseUrl(), 2, "doctor");
                OperatorDatabase operator = OperatorDatabase.connect(operatorDatabaseUrl, 1, "doctor-operator");
                Admin kafka = infrastructure.openKafkaAdmin();
                JdbcCatalog catalog = infrastructure.openCatalog()) {
            InfrastructureChecks checks = new InfrastructureChecks(db, operator, kafka, catalog, infrastructure.warehouse(), report);
            Map<TenantId, TenantRecord> tenants = checks.tenants();
            checks.checkTopics(tenants);
            checks.checkLake(tenants);
            checks.checkIngest(tenants);
            new ConsumerGroupChecks(kafka, report).checkOffsetsStable();
        }
        return report;
    }
}
