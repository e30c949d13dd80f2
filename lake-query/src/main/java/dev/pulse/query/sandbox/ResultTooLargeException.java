package dev.pulse.query.sandbox;

/** The query returned more rows than one result may hold. */
public class ResultTooLargeException extends SandboxException {
    public ResultTooLargeException(String message) {
        super(message);
    }
}
