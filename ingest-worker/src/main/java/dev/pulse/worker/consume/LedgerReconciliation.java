package dev.pulse.worker.consume;

import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.lake.CommitLedger;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciliation on assignment: repairs the ledger ({@code pulse.ingest_commits}, the dataset's
 * stats) of each of a tenant's datasets from its table's snapshots, for a worker that died between
 * a table commit and its ledger rows. The tables are the truth; the ledger follows them. Each
 * table's repair reads only the snapshots since the ledger's last entry ({@link CommitLedger#reconcile}),
 * which holds as long as the ledger has no gap behind its newest row: so a table this could not
 * repair (its metadata unreadable for a moment) is repaired before the worker's next commit to it
 * ({@link #beforeCommit}), not left behind a newer ledger row.
 */
final class LedgerReconciliation {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerReconciliation.class);

    private final TenantDatabase db;
    private final Catalog catalog;
    private final RetryPolicy retry;
    private final CommitLedger ledger;
    /** Datasets whose repair failed on assignment: repaired before the next commit to their table. */
    private final Set<DatasetKey> unreconciled = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private record DatasetKey(TenantId tenant, String slug) {
    }

    LedgerReconciliation(TenantDatabase db, Catalog catalog, RetryPolicy retry, CommitLedger ledger) {
        this.db = db;
        this.catalog = catalog;
        this.retry = retry;
        this.ledger = ledger;
    }

    /** Repairs the ledger of each of the tenant's datasets; a table it cannot load is skipped (and logged). */
    void reconcile(TenantId tenant) {
        reconcile(tenant, (slug, table) -> { });
    }

    /** As {@link #reconcile(TenantId)}, and hands each table it loaded (and reconciled) to {@code alsoWith}. */
    void reconcile(TenantId tenant, java.util.function.BiConsumer<String, Table> alsoWith) {
        List<DatasetRecord> datasets = retry.database("list datasets", () -> new DatasetDirectory(db).list(tenant));
        for (DatasetRecord dataset : datasets) {
            if (!LakeNames.belongsTo(dataset.table(), tenant)) {
                LOG.error("dataset '{}' of tenant {} points at {}, outside the tenant's namespace; ignoring it", dataset.slug(), tenant, dataset.table());
                continue;
            }
            DatasetKey key = new DatasetKey(tenant, dataset.slug());
            unreconciled.add(key);
            CommitLedger.ReconcileResult repaired;
            try {
                Table table = catalog.loadTable(dataset.table());
                repaired = ledger.reconcile(tenant, dataset.slug(), table);
                unreconciled.remove(key);
                alsoWith.accept(dataset.slug(), table);
            } catch (NoSuchTableException e) {
                LOG.error("dataset '{}' of tenant {} has no table {}", dataset.slug(), tenant, dataset.table());
                continue;
            } catch (RuntimeException e) {
                if (Failures.isInfrastructure(e)) {
                    throw e;
                }
                // The table's trouble, not the assignment's: its records pause the tenant when they come.
                LOG.error("cannot reconcile dataset '{}' of tenant {}: {}", dataset.slug(), tenant, e.toString());
                continue;
            }
            log(tenant, dataset.slug(), repaired);
        }
    }

    /**
     * Before a commit to the dataset's table: repairs its ledger first if the repair on assignment
     * failed. Throws as the repair does (the table's trouble then pauses its tenant, and this runs
     * again at the next try).
     */
    void beforeCommit(TenantId tenant, String slug, Table table) {
        DatasetKey key = new DatasetKey(tenant, slug);
        if (unreconciled.contains(key)) {
            log(tenant, slug, ledger.reconcile(tenant, slug, table));
            unreconciled.remove(key);
        }
    }

    private static void log(TenantId tenant, String slug, CommitLedger.ReconcileResult repaired) {
        if (repaired.inserted() > 0) {
            LOG.info("reconciled {} missing ledger rows of dataset '{}' of tenant {} ({} snapshots read)", repaired.inserted(), slug, tenant,
                    repaired.snapshotsRead());
        }
    }
}
