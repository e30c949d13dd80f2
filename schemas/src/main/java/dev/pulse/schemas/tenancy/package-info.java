/**
 * The tenancy rules in PostgreSQL: the migrations (roles, tables, RLS policies, SECURITY DEFINER
 * lookups), the one door to tenant data ({@link dev.pulse.schemas.tenancy.TenantDatabase#inTenant},
 * a transaction bound to one tenant with a bound parameter), and the isolation rules written once
 * in {@link dev.pulse.schemas.tenancy.IsolationAudit}. The audit returns
 * {@link dev.pulse.schemas.tenancy.Finding} records (rule, severity, subject, message, remedy);
 * the start-up guard ({@link dev.pulse.schemas.tenancy.RuntimeRoleGuard}) refuses to start on a
 * blocking one, {@code pulse doctor} prints them all. The rules live in package-private classes
 * by what they look at: the runtime role and its tenant tables ({@code RuntimeRoleRules}),
 * splinter's generic lints ({@code SplinterRules}), PostgreSQL's shared channels
 * ({@code SharedChannelRules}) and the operator role ({@code OperatorRoleRules}).
 *
 * <p>The integration tests that attack these rules ({@code TenancyIT},
 * {@code RowLevelSecurityAttackIT}, {@code RuntimeRoleReachIT}) live in control-plane's tests, in
 * this package: they need tenants with keys, schemas and datasets to attack, which only the
 * control plane creates. The audit's rules are also exercised one by one by the CLI's {@code DoctorIT}.
 *
 * <p><b>When PostgreSQL is away</b> every failure comes out as a
 * {@link dev.pulse.schemas.tenancy.DatabaseException} whose
 * {@link dev.pulse.schemas.tenancy.DatabaseException#isUnreachable()} is true (class 08,
 * 57P01-57P03, a pool timeout): the HTTP edge answers 503 with {@code Retry-After}, the worker
 * retries. The pools wait {@link dev.pulse.schemas.tenancy.TenantDatabase#CONNECTION_TIMEOUT_MS}
 * for a connection, which bounds a request during an outage, and reconnect by themselves when the
 * server is back; the lake catalog's pool reconnects after 57P01-57P03 too
 * ({@code dev.pulse.schemas.lake.LakeCatalog}). A transaction never lets cleaning up a dead
 * connection hide why it failed.
 */
package dev.pulse.schemas.tenancy;
