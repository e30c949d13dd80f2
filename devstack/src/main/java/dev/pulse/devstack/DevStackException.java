package dev.pulse.devstack;

/** The embedded stack could not start or stop. */
public class DevStackException extends RuntimeException {
    public DevStackException(String message, Throwable cause) {
        super(message, cause);
    }

    public DevStackException(String message) {
        super(message);
    }
}
