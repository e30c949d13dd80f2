/**
 * The tenancy rules in PostgreSQL: the migrations (roles, tables, RLS policies, SECURITY DEFINER
 * lookups), the one door to tenant data ({@link dev.pulse.schemas.tenancy.TenantDatabase#inTenant},
 * a transaction bound to one tenant with a bound parameter), and the start-up guard that refuses
 * a runtime role row-level security cannot hold. The integration tests that attack these rules
 * ({@code TenancyIT}, {@code RowLevelSecurityAttackIT}, {@code RuntimeRoleReachIT}) live in
 * control-plane's tests, in this package: they need tenants with keys, schemas and datasets to
 * attack, which only the control plane creates.
 */
package dev.pulse.schemas.tenancy;
