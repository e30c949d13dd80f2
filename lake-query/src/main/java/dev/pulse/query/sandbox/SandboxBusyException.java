package dev.pulse.query.sandbox;

/** Every sandbox slot stayed taken for the whole wait: the caller should retry shortly. */
public class SandboxBusyException extends SandboxException {
    public SandboxBusyException(String message) {
        super(message);
    }
}
