package dev.pulse.query.sandbox;

import dev.pulse.query.QueryException;

/** DuckDB refused or failed a statement inside the sandbox. */
public class SandboxException extends QueryException {
    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
