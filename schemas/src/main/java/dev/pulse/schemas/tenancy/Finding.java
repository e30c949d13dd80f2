package dev.pulse.schemas.tenancy;

/**
 * One broken isolation rule: which rule, how grave, on which object ({@code subject}), what is
 * wrong ({@code message}) and how to fix it ({@code remedy}, empty when there is nothing to say).
 * {@link IsolationAudit} produces them for the database; {@code pulse doctor} adds its own for
 * Kafka and the lake.
 */
public record Finding(Rule rule, Severity severity, String subject, String message, String remedy) {

    /** A rule: a stable {@code id} for tooling and the {@code title} that {@code pulse doctor} prints. */
    public record Rule(String id, String title) {
    }

    public enum Severity {
        /** A service refuses to start ({@link RuntimeRoleGuard}); {@code pulse doctor} reports it too. */
        BLOCKING,
        /** Reported by {@code pulse doctor} (which exits non-zero); services still start. */
        REPORTED
    }

    public boolean blocking() {
        return severity == Severity.BLOCKING;
    }

    /** {@code subject: message (fix: remedy)}, the line {@code pulse doctor} prints. */
    @Override
    public String toString() {
        return subject + ": " + message + (remedy == null || remedy.isEmpty() ? "" : " (fix: " + remedy + ")");
    }
}
