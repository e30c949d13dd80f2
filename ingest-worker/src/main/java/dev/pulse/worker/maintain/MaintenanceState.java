package dev.pulse.worker.maintain;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The tenant's {@code pulse.dataset_maintenance} rows, always under RLS for the tenant: what
 * maintenance last did to a dataset's table, and the per-table lock. A maintainer holds the row
 * {@code FOR UPDATE SKIP LOCKED} in a transaction that lasts as long as its work on the table, so
 * a second maintainer (another worker replica, {@code pulse lake maintain}) skips the table
 * instead of waiting; a maintainer that dies releases the lock with its connection.
 */
final class MaintenanceState {
    private final TenantDatabase db;

    MaintenanceState(TenantDatabase db) {
        this.db = db;
    }

    /** The row as the locked run reads it. */
    record Row(Instant lastOrphanScanAt) {
    }

    /** The work done while holding a table's lock, and what to record. */
    interface LockedWork<T> {
        T run(Row row, TenantTransaction tx) throws SQLException;
    }

    /** The tenant's tier and its own retention setting, if it has one. */
    record TenantPolicy(String tier, Optional<Duration> retention) {
    }

    TenantPolicy policy(TenantId tenant) {
        return db.inTenant(tenant, tx -> tx.queryOptional(
                "SELECT tier, snapshot_retention_ms FROM pulse.tenants WHERE tenant_id = ?",
                rs -> new TenantPolicy(rs.getString(1), Optional.ofNullable((Long) rs.getObject(2)).map(Duration::ofMillis)), tenant)
                .orElse(new TenantPolicy("standard", Optional.empty())));
    }

    /**
     * Runs {@code work} holding the table's maintenance lock, in the transaction that holds it;
     * empty when another maintainer holds it now.
     */
    <T> Optional<T> underLock(TenantId tenant, String datasetSlug, LockedWork<T> work) {
        // Its own short transaction first: an insert racing another maintainer's uncommitted insert
        // would wait for that maintainer's whole run.
        db.inTenant(tenant, tx -> tx.update("""
                INSERT INTO pulse.dataset_maintenance (tenant_id, dataset_slug) VALUES (?, ?) ON CONFLICT DO NOTHING""",
                tenant, datasetSlug));
        return db.inTenant(tenant, tx -> {
            Optional<Row> row = tx.queryOptional("""
                    SELECT last_orphan_scan_at FROM pulse.dataset_maintenance WHERE dataset_slug = ? FOR UPDATE SKIP LOCKED""",
                    rs -> new Row(TenantTransaction.instant(rs, "last_orphan_scan_at")), datasetSlug);
            if (row.isEmpty()) {
                return Optional.<T>empty();
            }
            return Optional.of(work.run(row.get(), tx));
        });
    }

    /** Records a run in the locked transaction; each part only when it ran. */
    static void record(TenantTransaction tx, String datasetSlug, Instant at, String compactionJson, String expiryJson, String orphanJson)
            throws SQLException {
        tx.update("""
                UPDATE pulse.dataset_maintenance
                   SET last_run_at = ?,
                       last_compaction_at = CASE WHEN ?::jsonb IS NULL THEN last_compaction_at ELSE ? END,
                       last_compaction = coalesce(?::jsonb, last_compaction),
                       last_expiry_at = CASE WHEN ?::jsonb IS NULL THEN last_expiry_at ELSE ? END,
                       last_expiry = coalesce(?::jsonb, last_expiry),
                       last_orphan_scan_at = CASE WHEN ?::jsonb IS NULL THEN last_orphan_scan_at ELSE ? END,
                       last_orphan_scan = coalesce(?::jsonb, last_orphan_scan)
                 WHERE dataset_slug = ?""",
                at, compactionJson, at, compactionJson, expiryJson, at, expiryJson, orphanJson, at, orphanJson, datasetSlug);
    }
}
