package dev.pulse.schemas.tenancy;

import dev.pulse.schemas.PulseException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

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

    /**
     * The database is not there right now: a connection failure (class 08), an administrator's
     * shutdown (57P01), a server still starting (57P03), or the pool could not hand out a
     * connection in time (a transient or non-transient connection exception, whatever its state).
     */
    public boolean isUnreachable() {
        String s = sqlState();
        return s.startsWith("08") || s.equals("57P01") || s.equals("57P03")
                || getCause() instanceof SQLTransientConnectionException
                || getCause() instanceof SQLNonTransientConnectionException;
    }

    /**
     * Safe to retry the whole transaction: the database is unreachable, or it broke off a
     * serialization failure (40001) or a deadlock (40P01). The one rule every caller uses: the
     * worker's retries and the HTTP edge's 503 with {@code Retry-After}.
     */
    public boolean isRetryable() {
        String s = sqlState();
        return isUnreachable() || s.equals("40001") || s.equals("40P01");
    }
}
