package dev.pulse.control.lifecycle.restore;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The table's lake-maintenance lock, the same row lake maintenance holds
 * ({@code pulse.dataset_maintenance}, {@code FOR UPDATE SKIP LOCKED}, under RLS for the tenant;
 * the worker's {@code maintain.MaintenanceState} owns it). A restore holds it while it commits, so
 * no compaction rewrites, and no expiry deletes, the files it is about to put back.
 */
final class MaintenanceLock {
    private MaintenanceLock() {
    }

    /** Runs {@code work} holding the lock; empty when a maintainer holds it now. */
    static <T> Optional<T> underLock(TenantDatabase db, TenantId tenant, String dataset, Supplier<T> work) {
        db.inTenant(tenant, tx -> tx.update(
                "INSERT INTO pulse.dataset_maintenance (tenant_id, dataset_slug) VALUES (?, ?) ON CONFLICT DO NOTHING", tenant, dataset));
        return db.inTenant(tenant, tx -> {
            boolean held = tx.queryOptional("SELECT 1 FROM pulse.dataset_maintenance WHERE dataset_slug = ? FOR UPDATE SKIP LOCKED",
                    rs -> rs.getInt(1), dataset).isPresent();
            return held ? Optional.of(work.get()) : Optional.<T>empty();
        });
    }
}
