package dev.pulse.schemas.tenancy;

import dev.pulse.schemas.PulseException;

/** The start-up guard found a way around row-level security; the service must not start. */
public class UnsafeRuntimeRoleException extends PulseException {
    public UnsafeRuntimeRoleException(String message) {
        super(message);
    }
}
