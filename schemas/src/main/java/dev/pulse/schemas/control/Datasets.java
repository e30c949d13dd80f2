package dev.pulse.schemas.control;

import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.Slugs;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.DatabaseException;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;

/**
 * Datasets: a row in {@code pulse.datasets} and an Iceberg table in the tenant's namespace,
 * {@code pulse_<tenant>.<slug with _>}, with the envelope columns and the schema's fields.
 */
public final class Datasets {
    /** Table properties every dataset table gets. */
    static final Map<String, String> TABLE_PROPERTIES = Map.of(
            TableProperties.FORMAT_VERSION, "2",
            // The worker's commit guard re-checks its offsets before every attempt, so Iceberg
            // must not silently re-apply an append on top of a concurrent commit.
            TableProperties.COMMIT_NUM_RETRIES, "0");

    private final TenantDatabase db;
    private final Catalog catalog;

    public Datasets(TenantDatabase db, Catalog catalog) {
        this.db = db;
        this.catalog = catalog;
    }

    public DatasetRecord create(TenantId tenant, String slug, String schemaName, Integer schemaVersion, Partitioning partitioning) {
        if (!Slugs.isValidSlug(slug)) {
            throw ControlException.invalid("invalid-slug",
                    "dataset slug '" + slug + "' is invalid: use 3 to 40 characters, a lower-case letter first, then lower-case letters, digits or '-'");
        }
        RegisteredSchema schema = db.inTenant(tenant, tx -> schemaVersion == null
                        ? SchemaRegistry.latest(tx, schemaName)
                        : SchemaRegistry.find(tx, schemaName, schemaVersion))
                .orElseThrow(() -> ControlException.notFound("schema", schemaVersion == null ? schemaName : schemaName + " version " + schemaVersion));
        if (find(tenant, slug).isPresent()) {
            throw ControlException.conflict("duplicate-dataset", "dataset '" + slug + "' already exists");
        }
        TableIdentifier table = LakeNames.table(tenant, slug);
        Schema tableSchema = IcebergSchemas.tableSchema(schema.parsed());
        PartitionSpec spec = IcebergSchemas.partitionSpec(tableSchema, partitioning);
        try {
            catalog.buildTable(table, tableSchema).withPartitionSpec(spec).withProperties(TABLE_PROPERTIES).create();
        } catch (AlreadyExistsException e) {
            // A previous attempt created the table and stopped before the row: reuse it.
        }
        try {
            db.inTenant(tenant, tx -> tx.update("""
                    INSERT INTO pulse.datasets (tenant_id, slug, schema_name, schema_version, table_namespace, table_name, partitioning)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    tenant, slug, schema.name(), schema.version(), table.namespace().level(0), table.name(), partitioning.wireName()));
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                throw ControlException.conflict("duplicate-dataset", "dataset '" + slug + "' already exists");
            }
            throw e;
        }
        return find(tenant, slug).orElseThrow();
    }

    public Optional<DatasetRecord> find(TenantId tenant, String slug) {
        return db.inTenant(tenant, tx -> find(tx, slug));
    }

    public List<DatasetRecord> list(TenantId tenant) {
        return db.inTenant(tenant, tx -> tx.query(SELECT + " ORDER BY slug", Datasets::map));
    }

    private static final String SELECT = """
            SELECT slug, schema_name, schema_version, table_namespace, table_name, partitioning, row_count, last_event_time, created_at
              FROM pulse.datasets""";

    public static Optional<DatasetRecord> find(TenantTransaction tx, String slug) throws SQLException {
        if (!Slugs.isValidSlug(slug)) {
            return Optional.empty();
        }
        return tx.queryOptional(SELECT + " WHERE slug = ?", Datasets::map, slug);
    }

    static DatasetRecord map(ResultSet rs) throws SQLException {
        return new DatasetRecord(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getLong(7), TenantTransaction.instant(rs, "last_event_time"), TenantTransaction.instant(rs, "created_at"));
    }
}
