package dev.pulse.schemas;

/**
 * The one unchecked root of every failure Pulse raises itself. Modules subclass it with a name
 * that says what failed; callers catch the subclass they can handle and let the rest travel.
 */
public class PulseException extends RuntimeException {
    public PulseException(String message) {
        super(message);
    }

    public PulseException(String message, Throwable cause) {
        super(message, cause);
    }
}
