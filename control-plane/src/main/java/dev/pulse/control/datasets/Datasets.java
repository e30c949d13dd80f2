package dev.pulse.control.datasets;

import dev.pulse.control.ControlException;
import dev.pulse.control.FieldText;
import dev.pulse.control.InvalidFieldException;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.control.registry.Compatibility;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.directory.SchemaDirectory;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.event.FieldType;
import dev.pulse.schemas.freshness.IngestWatermarks;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.lake.DatasetTableProperties;
import dev.pulse.schemas.lake.TableStats;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.Slugs;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.DatabaseException;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * Datasets: a row in {@code pulse.datasets} and an Iceberg table in the tenant's namespace,
 * {@code pulse_<tenant>.<slug with _>}, with the envelope columns and the schema's fields.
 */
public final class Datasets {
    private final TenantDatabase db;
    private final Catalog catalog;
    private final DatasetDirectory directory;

    public Datasets(TenantDatabase db, Catalog catalog) {
        this.db = db;
        this.catalog = catalog;
        this.directory = new DatasetDirectory(db);
    }

    /** An optional bucket partition on one top-level field: {@code bucket(field, count)}. */
    public record Bucket(String field, int count) {
    }

    public DatasetRecord create(TenantId tenant, String slug, String schemaName, Integer schemaVersion, Partitioning partitioning) {
        return create(tenant, slug, schemaName, schemaVersion, partitioning, null);
    }

    /**
     * Creates the dataset's Iceberg table, then its row. A run that stopped between the two is
     * finished by running it again (the table is reused).
     */
    public DatasetRecord create(TenantId tenant, String slug, String schemaName, Integer schemaVersion, Partitioning partitioning,
            Bucket bucket) {
        return create(tenant, slug, schemaName, schemaVersion, partitioning, bucket, Actor.SYSTEM);
    }

    /** Creates a dataset; its audit entry ({@code dataset.create}) commits with the dataset row. */
    public DatasetRecord create(TenantId tenant, String slug, String schemaName, Integer schemaVersion, Partitioning partitioning,
            Bucket bucket, Actor actor) {
        if (!Slugs.isValidSlug(slug)) {
            throw new InvalidFieldException("invalid-slug", "slug", "dataset slug " + FieldText.quote(slug)
                    + " is invalid: use 3 to 40 characters, a lower-case letter first, then lower-case letters, digits or '-'");
        }
        if (!Slugs.isValidSchemaName(schemaName)) {
            throw new InvalidFieldException("invalid-schema-name", "schema", "schema name " + FieldText.quote(schemaName)
                    + " is invalid: use a lower-case letter, then up to 62 lower-case letters, digits, '_' or '-'");
        }
        RegisteredSchema schema = db.inTenant(tenant, tx -> schemaVersion == null
                        ? SchemaDirectory.latest(tx, schemaName)
                        : SchemaDirectory.find(tx, schemaName, schemaVersion))
                .orElseThrow(() -> ControlException.notFound("schema", schemaVersion == null ? schemaName : schemaName + " version " + schemaVersion));
        if (find(tenant, slug).isPresent()) {
            throw ControlException.conflict("duplicate-dataset", "dataset '" + slug + "' already exists");
        }
        if (bucket != null) {
            checkBucket(schema.parsed(), bucket);
        }
        TableIdentifier table = LakeNames.table(tenant, slug);
        Schema tableSchema = IcebergSchemas.tableSchema(schema.parsed());
        PartitionSpec spec = bucket == null ? IcebergSchemas.partitionSpec(tableSchema, partitioning)
                : IcebergSchemas.partitionSpec(tableSchema, partitioning, bucket.field(), bucket.count());
        try {
            catalog.buildTable(table, tableSchema).withPartitionSpec(spec).withProperties(DatasetTableProperties.ON_CREATE).create();
        } catch (AlreadyExistsException e) {
            // A previous attempt created the table and stopped before the row: reuse it.
        }
        try {
            db.inTenant(tenant, tx -> {
                tx.update("""
                        INSERT INTO pulse.datasets (tenant_id, slug, schema_name, schema_version, table_namespace, table_name, partitioning,
                                                    bucket_field, bucket_count)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        tenant, slug, schema.name(), schema.version(), table.namespace().level(0), table.name(), partitioning.wireName(),
                        bucket == null ? null : bucket.field(), bucket == null ? null : bucket.count());
                Map<String, Object> detail = new java.util.LinkedHashMap<>();
                detail.put("slug", slug);
                detail.put("schema", schema.name());
                detail.put("schema_version", schema.version());
                detail.put("partitioning", partitioning.wireName());
                if (bucket != null) {
                    detail.put("bucket", Map.of("field", bucket.field(), "count", bucket.count()));
                }
                return AuditLog.append(tx, actor, "dataset.create", detail);
            });
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                throw ControlException.conflict("duplicate-dataset", "dataset '" + slug + "' already exists");
            }
            throw e;
        }
        return find(tenant, slug).orElseThrow();
    }

    private static void checkBucket(EventSchema schema, Bucket bucket) {
        if (bucket.count() < 2 || bucket.count() > 1024) {
            throw new InvalidFieldException("invalid-bucket", "bucket.count", "bucket count must be between 2 and 1024, got " + bucket.count());
        }
        FieldType.Field field = schema.fields().stream().filter(f -> f.name().equals(bucket.field())).findFirst()
                .orElseThrow(() -> new InvalidFieldException("invalid-bucket", "bucket.field",
                        "bucket field " + FieldText.quote(bucket.field()) + " is not a top-level property of the schema"));
        boolean bucketable = field.type() instanceof FieldType.Scalar s && switch (s.kind()) {
            case STRING, UUID, INTEGER, INT32, DATE, DATE_TIME -> true;
            case NUMBER, FLOAT, BOOLEAN -> false;
        };
        if (!bucketable) {
            throw new InvalidFieldException("invalid-bucket", "bucket.field", "bucket field '" + bucket.field() + "' is " + field.type().display()
                    + "; bucket a string, uuid, integer, date or date-time field");
        }
    }

    /** A dataset as {@code describe} shows it: the row, its table's columns and lake statistics. */
    public record DatasetDescription(DatasetRecord dataset, Bucket bucket, List<Column> columns, String partitionSpec,
            long rowCount, int snapshotCount, Long currentSnapshotId, Instant lastCommitAt, TableStats lake) {
    }

    /** One column of a dataset's table (nested types as Iceberg prints them). */
    public record Column(String name, String type, boolean required) {
    }

    /**
     * How current the tenant's datasets are: the freshness watermark of its raw topic
     * ({@link IngestWatermarks#completeThrough}); empty while unknown. Read it before the table
     * it is shown with, so that the table holds everything it covers.
     */
    public Optional<Instant> completeThrough(TenantId tenant) {
        return db.inTenant(tenant, IngestWatermarks::completeThrough);
    }

    /**
     * The dataset with its table's current schema and snapshot statistics. The row count is the
     * table's ({@code total-records} of the current snapshot), so it is right even before the
     * worker updated the row's statistics.
     */
    public Optional<DatasetDescription> describe(TenantId tenant, String slug) {
        record Maintenance(Instant lastCompactionAt, String lastCompaction, Instant lastExpiryAt, String lastExpiry) {
        }
        record Row(DatasetRecord dataset, Bucket bucket, Instant lastCommitAt, Maintenance maintenance) {
        }
        Optional<Row> row = db.inTenant(tenant, tx -> {
            Optional<DatasetRecord> dataset = DatasetDirectory.find(tx, slug);
            if (dataset.isEmpty()) {
                return Optional.<Row>empty();
            }
            // What lake maintenance last did (worker.maintain writes it under RLS for the tenant).
            Maintenance maintenance = tx.queryOptional("""
                    SELECT last_compaction_at, last_compaction::text, last_expiry_at, last_expiry::text
                      FROM pulse.dataset_maintenance WHERE dataset_slug = ?""",
                    rs -> new Maintenance(TenantTransaction.instant(rs, "last_compaction_at"), rs.getString(2),
                            TenantTransaction.instant(rs, "last_expiry_at"), rs.getString(4)), slug)
                    .orElse(new Maintenance(null, null, null, null));
            return tx.queryOptional("SELECT bucket_field, bucket_count, last_commit_at FROM pulse.datasets WHERE slug = ?",
                    rs -> new Row(dataset.get(), rs.getString(1) == null ? null : new Bucket(rs.getString(1), rs.getInt(2)),
                            TenantTransaction.instant(rs, "last_commit_at"), maintenance), slug);
        });
        if (row.isEmpty()) {
            return Optional.empty();
        }
        DatasetRecord dataset = row.get().dataset();
        requireOwnNamespace(tenant, dataset);
        Table table = catalog.loadTable(dataset.table());
        List<Column> columns = table.schema().columns().stream()
                .map(c -> new Column(c.name(), c.type().toString(), c.isRequired())).toList();
        Snapshot current = table.currentSnapshot();
        long rows = current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-records", Long.toString(dataset.rowCount())));
        int snapshots = 0;
        for (Snapshot ignored : table.snapshots()) {
            snapshots++;
        }
        String spec = table.spec().fields().stream()
                .map(f -> f.transform() + "(" + table.schema().findColumnName(f.sourceId()) + ")")
                .collect(java.util.stream.Collectors.joining(", "));
        Maintenance m = row.get().maintenance();
        TableStats lake = TableStats.of(table).withMaintenance(m.lastCompactionAt(), m.lastCompaction(), m.lastExpiryAt(), m.lastExpiry());
        return Optional.of(new DatasetDescription(dataset, row.get().bucket(), columns, spec, rows, snapshots,
                current == null ? null : current.snapshotId(), row.get().lastCommitAt(), lake));
    }

    /** What an upgrade did: the dataset afterwards, and whether its table or row changed. */
    public record UpgradeResult(DatasetRecord dataset, int previousVersion, boolean changed) {
    }

    /**
     * Moves a dataset to a newer version of its schema. The target must be BACKWARD compatible
     * with the dataset's current version (whatever rule the schema registered it under). The
     * table evolves first, in one Iceberg commit (new columns added as optional, int/float
     * widened to long/double), then the row moves to the new version: events are never
     * validated against a version whose columns the table lacks. Running it again after a
     * failure finishes it; upgrading to the current version changes nothing.
     */
    public UpgradeResult upgrade(TenantId tenant, String slug, int targetVersion) {
        return upgrade(tenant, slug, targetVersion, Actor.SYSTEM);
    }

    /** Upgrades; when the row moves, its audit entry ({@code dataset.upgrade}) commits with it. */
    public UpgradeResult upgrade(TenantId tenant, String slug, int targetVersion, Actor actor) {
        DatasetRecord dataset = find(tenant, slug).orElseThrow(() -> ControlException.notFound("dataset", slug));
        RegisteredSchema target = db.inTenant(tenant, tx -> SchemaDirectory.find(tx, dataset.schemaName(), targetVersion))
                .orElseThrow(() -> ControlException.notFound("schema", dataset.schemaName() + " version " + targetVersion));
        if (targetVersion == dataset.schemaVersion()) {
            return new UpgradeResult(dataset, dataset.schemaVersion(), false);
        }
        if (targetVersion < dataset.schemaVersion()) {
            throw ControlException.conflict("schema-downgrade", "dataset '" + slug + "' is on version " + dataset.schemaVersion()
                    + " of '" + dataset.schemaName() + "'; a dataset cannot move back to version " + targetVersion);
        }
        RegisteredSchema current = db.inTenant(tenant, tx -> SchemaDirectory.find(tx, dataset.schemaName(), dataset.schemaVersion()))
                .orElseThrow();
        List<String> problems = Compatibility.backwardIncompatibilities(current.parsed(), target.parsed());
        if (!problems.isEmpty()) {
            throw ControlException.conflict("incompatible-schema", "version " + targetVersion + " of '" + dataset.schemaName()
                    + "' is not BACKWARD compatible with version " + dataset.schemaVersion() + ", which dataset '" + slug + "' is on: "
                    + String.join("; ", problems));
        }
        requireOwnNamespace(tenant, dataset);
        evolveTable(dataset, IcebergSchemas.tableSchema(target.parsed()), targetVersion);
        int updated = db.inTenant(tenant, tx -> {
            int rows = tx.update("UPDATE pulse.datasets SET schema_version = ? WHERE slug = ? AND schema_version < ?", targetVersion, slug, targetVersion);
            if (rows > 0) {
                AuditLog.append(tx, actor, "dataset.upgrade", Map.of("slug", slug, "schema", dataset.schemaName(),
                        "from_version", dataset.schemaVersion(), "to_version", targetVersion));
            }
            return rows;
        });
        DatasetRecord after = find(tenant, slug).orElseThrow();
        return new UpgradeResult(after, dataset.schemaVersion(), updated > 0);
    }

    private static final int SCHEMA_COMMIT_ATTEMPTS = 5;

    private void evolveTable(DatasetRecord dataset, Schema wanted, int targetVersion) {
        for (int attempt = 1; ; attempt++) {
            Table table = catalog.loadTable(dataset.table());
            try {
                // unionByNameWith adds missing columns (nested ones too) as optional and applies the
                // allowed promotions (int -> long, float -> double); all of it is one metadata commit.
                table.updateSchema().unionByNameWith(wanted).commit();
                return;
            } catch (CommitFailedException e) {
                // The worker appended meanwhile (tables allow no automatic retry): reload and redo.
                if (attempt == SCHEMA_COMMIT_ATTEMPTS) {
                    throw new ControlException(ControlException.Kind.UNAVAILABLE, "table-busy", "the table of dataset '"
                            + dataset.slug() + "' kept changing during the upgrade; run it again", e);
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw ControlException.conflict("incompatible-table", "the table of dataset '" + dataset.slug()
                        + "' cannot evolve to version " + targetVersion + ": " + e.getMessage());
            }
        }
    }

    /** The dataset row was read under RLS; its table must also be in the bound tenant's namespace. */
    private static void requireOwnNamespace(TenantId tenant, DatasetRecord dataset) {
        if (!LakeNames.belongsTo(dataset.table(), tenant)) {
            throw new IllegalStateException("dataset " + dataset.slug() + " points outside its tenant's namespace: " + dataset.table());
        }
    }

    public Optional<DatasetRecord> find(TenantId tenant, String slug) {
        return directory.find(tenant, slug);
    }

    public List<DatasetRecord> list(TenantId tenant) {
        return directory.list(tenant);
    }
}
