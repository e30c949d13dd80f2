package dev.pulse.worker.consume;

import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.directory.SchemaDirectory;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.Slugs;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.dlq.ErrorCode;
import dev.pulse.worker.lake.RowPreparer;
import dev.pulse.worker.lake.SnapshotOffsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dataset and schema lookups for one batch. Cached for the batch only, so a dataset created or
 * moved to a new schema version is seen by the next batch. Every read happens under RLS bound to
 * the topic's tenant, so another tenant's dataset with the same slug is simply not there.
 */
final class BatchLookups {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLookups.class);

    /**
     * A dataset found; or why not: the record's fault ({@code failure}, a dead letter) or its
     * table's ({@code tableFailure}, the tenant waits).
     */
    record DatasetLookup(ResolvedDataset dataset, ErrorCode failure, String message, TableFailure tableFailure) {
        static DatasetLookup missing(ErrorCode failure, String message) {
            return new DatasetLookup(null, failure, message, null);
        }

        static DatasetLookup failing(TableFailure failure) {
            return new DatasetLookup(null, null, null, failure);
        }
    }

    private record DatasetKey(TenantId tenant, String slug) {
    }

    private record Row(DatasetRecord dataset, RegisteredSchema schema) {
    }

    private final TenantDatabase db;
    private final Catalog catalog;
    private final RetryPolicy retry;
    private final Map<DatasetKey, DatasetLookup> cache = new HashMap<>();

    BatchLookups(TenantDatabase db, Catalog catalog, RetryPolicy retry) {
        this.db = db;
        this.catalog = catalog;
        this.retry = retry;
    }

    DatasetLookup dataset(TenantId tenant, String slug) {
        if (!Slugs.isValidSlug(slug)) {
            // Never sent to PostgreSQL: a NUL in it would fail the query (and, the failure not being
            // retryable, stop the worker on every restart), and no dataset can have such a name.
            return DatasetLookup.missing(ErrorCode.UNKNOWN_DATASET, "tenant " + tenant + " has no dataset '"
                    + (slug.length() <= 80 ? slug : slug.substring(0, 80) + "…") + "': a dataset slug matches " + Slugs.SLUG.pattern());
        }
        return cache.computeIfAbsent(new DatasetKey(tenant, slug), k -> load(tenant, slug));
    }

    private DatasetLookup load(TenantId tenant, String slug) {
        Optional<Row> row = retry.database("dataset lookup", () -> db.inTenant(tenant, tx -> {
            Optional<DatasetRecord> dataset = DatasetDirectory.find(tx, slug);
            if (dataset.isEmpty()) {
                return Optional.<Row>empty();
            }
            Optional<RegisteredSchema> schema = SchemaDirectory.find(tx, dataset.get().schemaName(), dataset.get().schemaVersion());
            return schema.map(s -> new Row(dataset.get(), s));
        }));
        if (row.isEmpty()) {
            return DatasetLookup.missing(ErrorCode.UNKNOWN_DATASET, "tenant " + tenant + " has no dataset '" + slug + "'");
        }
        DatasetRecord dataset = row.get().dataset();
        if (!LakeNames.belongsTo(dataset.table(), tenant)) {
            // Fail closed: a dataset row must never send rows into another namespace.
            LOG.error("dataset '{}' of tenant {} points at {}, outside the tenant's namespace; refusing to write", slug, tenant, dataset.table());
            return DatasetLookup.missing(ErrorCode.DATASET_TABLE_UNAVAILABLE, "dataset '" + slug + "' has no table in the tenant's namespace");
        }
        try {
            Table table = catalog.loadTable(dataset.table());
            return new DatasetLookup(new ResolvedDataset(tenant, dataset, row.get().schema(), table, SnapshotOffsets.stored(table),
                    new RowPreparer(table)), null, null, null);
        } catch (NoSuchTableException e) {
            LOG.error("dataset '{}' of tenant {} has no table {}", slug, tenant, dataset.table());
            return DatasetLookup.missing(ErrorCode.DATASET_TABLE_UNAVAILABLE, "dataset '" + slug + "' has no table");
        } catch (RuntimeException e) {
            if (Failures.isInfrastructure(e)) {
                throw e;
            }
            // Metadata missing, unreadable or corrupt: the table's trouble, not the record's.
            return DatasetLookup.failing(new TableFailure(tenant, slug, e));
        }
    }
}
