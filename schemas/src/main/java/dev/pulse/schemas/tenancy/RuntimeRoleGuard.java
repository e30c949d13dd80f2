package dev.pulse.schemas.tenancy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The start-up guard: a service refuses to run when row-level security could not protect it,
 * that is when {@link IsolationAudit} finds anything {@link Finding.Severity#BLOCKING} (its
 * class comment lists what is). The other findings are {@code pulse doctor}'s to report.
 */
public final class RuntimeRoleGuard {
    private RuntimeRoleGuard() {
    }

    public static void check(DataSource dataSource) {
        refuseOnBlocking(dataSource, IsolationAudit::runtimeRole, "start-up guard could not inspect the database");
    }

    /** The operator control plane's guard: every rule of {@link IsolationAudit#operatorRole}. */
    public static void checkOperator(DataSource dataSource) {
        refuseOnBlocking(dataSource, IsolationAudit::operatorRole, "start-up guard could not inspect the database as the operator role");
    }

    @FunctionalInterface
    private interface Audit {
        List<Finding> run(Connection connection) throws SQLException;
    }

    private static void refuseOnBlocking(DataSource dataSource, Audit audit, String failure) {
        List<Finding> findings;
        try (Connection c = dataSource.getConnection()) {
            findings = audit.run(c);
        } catch (SQLException e) {
            throw new DatabaseException(failure, e);
        }
        String blocking = findings.stream().filter(Finding::blocking)
                .map(f -> f.rule().title() + ": " + f)
                .collect(Collectors.joining("; "));
        if (!blocking.isEmpty()) {
            throw new UnsafeRuntimeRoleException("refusing to start: " + blocking);
        }
    }
}
