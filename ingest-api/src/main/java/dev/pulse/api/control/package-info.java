/**
 * The tenant-scoped control plane: API keys, schemas and datasets. Each resource has one
 * handler implementation registered twice: under {@code /admin/v1/tenants/{slug}} for the
 * operator (operator token, tenant from the path) and under {@code /v1} for the tenant itself
 * (an API key with scope {@code manage}, tenant from the key). Every lookup runs in a
 * transaction bound to that tenant, so another tenant's object is simply not found (404).
 * Every change is appended to the audit log with its actor. The operations themselves are the
 * control plane's (module {@code control-plane}, {@code dev.pulse.control.*}); this package only
 * maps them to HTTP.
 */
package dev.pulse.api.control;
