package dev.pulse.schemas.tenancy;

import dev.pulse.schemas.PulseException;
import java.sql.SQLException;

/** A PostgreSQL failure, with enough of the SQLSTATE kept to pick a policy. */
public class DatabaseException extends PulseException {
    private final String sqlState;

    public DatabaseException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage(), cause);
        this.sqlState = cause.getSQLState();
    }

    public String sqlState() {
        return sqlState == null ? "" : sqlState;
    }

    /** A unique or primary key already holds the value (23505). */
    public boolean isUniqueViolation() {
        return "23505".equals(sqlState);
    }

    /** A row-level security policy rejected the write (42501 with a policy message) or any privilege failure. */
    public boolean isPermissionDenied() {
        return "42501".equals(sqlState);
    }

    public boolean isForeignKeyViolation() {
        return "23503".equals(sqlState);
    }

    /** Connection loss, admin shutdown, serialization failure or deadlock: safe to retry the whole transaction. */
    public boolean isRetryable() {
        String s = sqlState();
        return s.startsWith("08") || s.equals("40001") || s.equals("40P01") || s.equals("57P01");
    }
}
