package dev.pulse.schemas.event;

import dev.pulse.schemas.PulseException;

/** A raw-topic record that is not a Pulse envelope. */
public class MalformedEnvelopeException extends PulseException {
    public MalformedEnvelopeException(String message) {
        super(message);
    }
}
