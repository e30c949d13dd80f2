package dev.pulse.schemas.tenancy;

import dev.pulse.schemas.PulseException;

/** Code asked for tenant data without a tenant: refused, never widened to "all tenants". */
public class TenantNotBoundException extends PulseException {
    public TenantNotBoundException(String message) {
        super(message);
    }
}
