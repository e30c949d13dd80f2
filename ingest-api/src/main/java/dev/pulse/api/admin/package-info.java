/**
 * The operator control plane under {@code /admin/v1} (operator token): tenants, the audit log,
 * and each tenant's keys, schemas and datasets through the same handlers as the tenant's own
 * {@code /v1} routes ({@code dev.pulse.api.control}).
 */
package dev.pulse.api.admin;
