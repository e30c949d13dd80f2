package dev.pulse.schemas.naming;

import dev.pulse.schemas.PulseException;

/** A name (slug, topic, namespace, id) that does not follow Pulse's naming rules. */
public class InvalidNameException extends PulseException {
    public InvalidNameException(String message) {
        super(message);
    }
}
