/**
 * Usage at the edge: {@link dev.pulse.api.usage.EdgeUsage} counts what {@code POST /v1/events}
 * accepted (events, bytes) and refused (by status, for an authenticated key) and sends the counts
 * to the internal usage topic once a second; {@link dev.pulse.api.usage.UsageRoutes} serves
 * {@code GET /v1/usage} (a {@code manage} key: its own tenant) and
 * {@code GET /admin/v1/tenants/{slug}/usage} (the operator), read from {@code pulse.usage_minutes}
 * under RLS bound to that one tenant. The counting itself is the worker's usage topology
 * ({@code dev.pulse.worker.usage}); the record format is {@code dev.pulse.schemas.usage}.
 */
package dev.pulse.api.usage;
