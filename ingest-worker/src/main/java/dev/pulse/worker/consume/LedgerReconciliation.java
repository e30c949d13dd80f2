package dev.pulse.worker.consume;

import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.lake.CommitLedger;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciliation on assignment: repairs the ledger ({@code pulse.ingest_commits}, the dataset's
 * stats) of each of a tenant's datasets from its table's snapshots, for a worker that died between
 * a table commit and its ledger rows. The tables are the truth; the ledger follows them.
 */
final class LedgerReconciliation {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerReconciliation.class);

    private final TenantDatabase db;
    private final Catalog catalog;
    private final RetryPolicy retry;
    private final CommitLedger ledger;

    LedgerReconciliation(TenantDatabase db, Catalog catalog, RetryPolicy retry, CommitLedger ledger) {
        this.db = db;
        this.catalog = catalog;
        this.retry = retry;
        this.ledger = ledger;
    }

    /** Repairs the ledger of each of the tenant's datasets; a table it cannot load is skipped (and logged). */
    void reconcile(TenantId tenant) {
        List<DatasetRecord> datasets = retry.database("list datasets", () -> new DatasetDirectory(db).list(tenant));
        for (DatasetRecord dataset : datasets) {
            if (!LakeNames.belongsTo(dataset.table(), tenant)) {
                LOG.error("dataset '{}' of tenant {} points at {}, outside the tenant's namespace; ignoring it", dataset.slug(), tenant, dataset.table());
                continue;
            }
            Table table;
            int repaired;
            try {
                table = catalog.loadTable(dataset.table());
                repaired = ledger.reconcile(tenant, dataset.slug(), table);
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
            if (repaired > 0) {
                LOG.info("reconciled {} missing ledger rows of dataset '{}' of tenant {}", repaired, dataset.slug(), tenant);
            }
        }
    }
}
