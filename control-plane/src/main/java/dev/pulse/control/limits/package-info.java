/**
 * A tenant's own ingest rate limits: the operator's overrides of its tier's defaults (events per
 * second, bytes per second), stored on the tenant's row ({@code pulse.tenants}, V11) under
 * row-level security like every tenant setting, each change audited ({@code tenant.rate-limits}).
 * The edge that enforces them is ingest-api's {@code dev.pulse.api.limits}.
 */
package dev.pulse.control.limits;
