package dev.pulse.schemas.config;

import dev.pulse.schemas.PulseException;

/** A configuration value that is missing or malformed; the message names the key. */
public class ConfigException extends PulseException {
    public ConfigException(String message) {
        super(message);
    }
}
