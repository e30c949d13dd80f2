package dev.pulse.control.lifecycle.deletion;

import dev.pulse.schemas.PulseException;

/** A tenant deletion that cannot go on, or a certificate that cannot be read or signed; the message says what to do. */
public final class DeletionException extends PulseException {
    public DeletionException(String message) {
        super(message);
    }

    public DeletionException(String message, Throwable cause) {
        super(message, cause);
    }
}
