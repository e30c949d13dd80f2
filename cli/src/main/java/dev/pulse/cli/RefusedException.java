package dev.pulse.cli;

/** A request the server refused (its problem detail is the message), or a server that cannot be reached. */
final class RefusedException extends RuntimeException {
    private final int status;

    RefusedException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
