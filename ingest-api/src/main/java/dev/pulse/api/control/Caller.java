package dev.pulse.api.control;

import dev.pulse.schemas.naming.TenantId;

/**
 * Who is asking and for which tenant: the operator naming a tenant by slug in the path, or a
 * tenant's own {@code manage} key. The actor is what the audit log records.
 */
public record Caller(TenantId tenant, String actor) {
}
