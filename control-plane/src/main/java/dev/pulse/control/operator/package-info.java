/**
 * The operator role's own database access ({@code pulse_operator}): the two reads that cross
 * tenants, the tenant directory and the audit log, through SECURITY DEFINER functions. Only
 * ingest-api's {@code /admin/v1} and {@code pulse doctor} open one.
 */
package dev.pulse.control.operator;
