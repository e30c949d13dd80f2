package dev.pulse.schemas.tenancy;

import dev.pulse.schemas.tenancy.Finding.Rule;
import dev.pulse.schemas.tenancy.Finding.Severity;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** One run of {@link IsolationAudit} on one connection: the findings so far and a catalog query helper for the rules. */
final class AuditRun {
    private final Connection connection;
    private final List<Finding> findings = new ArrayList<>();

    AuditRun(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /** A finding that stops a service at start-up. */
    void block(Rule rule, String subject, String message, String remedy) {
        findings.add(new Finding(rule, Severity.BLOCKING, subject, message, remedy));
    }

    /** A finding that {@code pulse doctor} reports and services start with. */
    void report(Rule rule, String subject, String message, String remedy) {
        findings.add(new Finding(rule, Severity.REPORTED, subject, message, remedy));
    }

    void find(Rule rule, Severity severity, String subject, String message, String remedy) {
        findings.add(new Finding(rule, severity, subject, message, remedy));
    }

    List<Finding> findings() {
        return List.copyOf(findings);
    }

    @FunctionalInterface
    interface RowHandler {
        void handle(ResultSet rs) throws SQLException;
    }

    void query(String sql, RowHandler handler) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                handler.handle(rs);
            }
        }
    }
}
