/**
 * Tenants: creating one is a resumable job (row in status {@code provisioning}, both topics, the
 * Iceberg namespace, then {@code active}); suspending and resuming change its
 * {@link dev.pulse.schemas.directory.TenantStatus}. Every step runs as the runtime role in a
 * transaction bound to the tenant concerned.
 */
package dev.pulse.control.tenants;
