package dev.pulse.query.preview;

import dev.pulse.query.QueryException;

/**
 * A table or file location escapes where the tenant's data must live. Never shown to the caller
 * as such: the preview logs it as a security event and answers "not found".
 */
class IsolationViolationException extends QueryException {
    IsolationViolationException(String message) {
        super(message);
    }
}
