package dev.pulse.worker;

import dev.pulse.schemas.PulseException;

/** The ingest worker's root failure: something the loop cannot turn into a DLQ entry and go on. */
public class WorkerException extends PulseException {
    public WorkerException(String message) {
        super(message);
    }

    public WorkerException(String message, Throwable cause) {
        super(message, cause);
    }
}
