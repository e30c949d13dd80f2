package dev.pulse.schemas.tenancy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pulse.schemas.naming.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * The only door to tenant data. {@link #inTenant} borrows a pooled connection, begins a
 * transaction, binds the tenant with {@code set_config('app.current_tenant_id', ?, true)} (a bound
 * parameter, transaction-local), runs the work, and commits, or rolls back when the work throws.
 * Because the setting is transaction-local, a connection returned to the pool carries no tenant.
 *
 * <p>The few lookups that must happen before a tenant is known (an API key id or a tenant slug to
 * its tenant) go through SECURITY DEFINER functions that answer exact matches only. The
 * operator's cross-tenant reads are not here: the runtime role may not make them (see
 * {@code dev.pulse.control.operator.OperatorDatabase}).
 */
public final class TenantDatabase implements AutoCloseable {
    /**
     * The longest a caller waits for a pooled connection before a {@link DatabaseException} that
     * {@link DatabaseException#isUnreachable() says the database is unreachable}: the bound on an
     * API answer (503 with {@code Retry-After}) while PostgreSQL is down. Shared by every pool.
     */
    public static final int CONNECTION_TIMEOUT_MS = 3_000;
    /** How long checking a pooled connection before handing it out may take (a live one answers in well under 1 ms). */
    public static final int VALIDATION_TIMEOUT_MS = 1_000;
    private static final String BIND_TENANT = "SELECT set_config('app.current_tenant_id', ?, true)";

    private final HikariDataSource pool;

    // Package-private so that TenancyIT can hold the pool too and read what a pooled connection
    // carries after the helper returned it.
    TenantDatabase(HikariDataSource pool) {
        this.pool = pool;
    }

    /** A pool for the runtime role. The URL carries user and password as parameters. */
    public static TenantDatabase connect(String jdbcUrl, int poolSize, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setPoolName(poolName);
        config.setAutoCommit(true);
        // How long a borrower waits for a connection: while the database is down, every request
        // that needs it waits this long before its 503, so it stays short (a busy pool hands one
        // out in milliseconds); see CONNECTION_TIMEOUT_MS.
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        // A pooled connection is checked before it is handed out; on one the server is ending that
        // check can hang, and Hikari's default (5 s) let one request wait 3 s + 3 s in an outage.
        config.setValidationTimeout(VALIDATION_TIMEOUT_MS);
        // Fail fast at start-up when the database is unreachable or the credentials are wrong.
        config.setInitializationFailTimeout(10_000);
        return new TenantDatabase(new HikariDataSource(config));
    }

    public <T> T inTenant(TenantId tenant, TenantWork<T> work) {
        if (tenant == null) {
            throw new TenantNotBoundException("no tenant given: refusing to open a tenant transaction");
        }
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            T result;
            try {
                try (PreparedStatement bind = connection.prepareStatement(BIND_TENANT)) {
                    bind.setString(1, tenant.toString());
                    bind.execute();
                }
                result = work.run(new TenantTransaction(connection, tenant));
                connection.commit();
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                restoreAutoCommit(connection, e);
                throw e;
            }
            restoreAutoCommit(connection, null);
            return result;
        } catch (SQLException e) {
            throw new DatabaseException("tenant transaction for " + tenant + " failed", e);
        }
    }

    /** Key id to tenant, through {@code pulse.tenant_for_api_key}: an exact match or nothing. */
    public Optional<TenantId> tenantForApiKey(String keyId) {
        return directoryLookup("SELECT pulse.tenant_for_api_key(?)", keyId);
    }

    /** Tenant slug to tenant, through {@code pulse.tenant_for_slug}: an exact match or nothing. */
    public Optional<TenantId> tenantForSlug(String slug) {
        return directoryLookup("SELECT pulse.tenant_for_slug(?)", slug);
    }

    private Optional<TenantId> directoryLookup(String sql, String argument) {
        try (Connection connection = pool.getConnection();
                PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, argument);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                UUID id = rs.getObject(1, UUID.class);
                return Optional.ofNullable(id).map(TenantId::new);
            }
        } catch (SQLException e) {
            throw new DatabaseException("directory lookup failed", e);
        }
    }

    /**
     * Refuses to go on when the runtime role could bypass row-level security (see
     * {@link RuntimeRoleGuard}). Every service calls this once at start-up.
     */
    public void requireSafeRuntimeRole() {
        RuntimeRoleGuard.check(pool);
    }

    /**
     * Reports the pool to {@code registry} (HikariCP's own Micrometer meters, {@code hikaricp_*},
     * tagged with the pool's name); once per pool. Its meters leave the registry when the pool closes.
     */
    public void reportTo(io.micrometer.core.instrument.MeterRegistry registry) {
        pool.setMetricRegistry(registry);
    }

    /** True when a connection can be borrowed and answers; for health checks. */
    public boolean isReachable() {
        try (Connection connection = pool.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Never thrown: on a connection the server ended (an outage, an administrator's restart) this
     * fails with Hikari's "Connection is closed", which has no SQLSTATE. Thrown from a
     * {@code finally}, it replaced the failure that said why (57P01, 08006: retryable) with one that
     * is not, so the worker's retries gave up at the first attempt; now it is kept as suppressed by
     * that failure. After a commit it is dropped: the work is committed, and throwing would have the
     * caller retry it; Hikari restores auto-commit on a connection handed back and evicts a broken one.
     */
    private static void restoreAutoCommit(Connection connection, Throwable failure) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
