package dev.pulse.query;

import dev.pulse.schemas.PulseException;

/** The root of every failure lake-query raises itself; subclasses say what failed. */
public class QueryException extends PulseException {
    public QueryException(String message) {
        super(message);
    }

    public QueryException(String message, Throwable cause) {
        super(message, cause);
    }
}
