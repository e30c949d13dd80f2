package dev.pulse.query.preview;

import dev.pulse.query.QueryException;

/** The Iceberg catalog or the warehouse could not be read: a dependency is down, retry later. */
public class LakeUnavailableException extends QueryException {
    public LakeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
