package dev.pulse.query.sandbox;

/** The query ran longer than its limit and was cancelled. */
public class QueryTimeoutException extends SandboxException {
    public QueryTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
