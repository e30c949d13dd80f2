package dev.pulse.schemas.directory;

import dev.pulse.schemas.naming.Slugs;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * A tenant's datasets, read-only, under RLS: one by slug, or all of them. The worker, lake-query
 * and the control plane read datasets only through here; creating and changing one is the
 * control plane's ({@code dev.pulse.control.datasets}).
 */
public final class DatasetDirectory {
    private static final String SELECT = """
            SELECT slug, schema_name, schema_version, table_namespace, table_name, partitioning, row_count, last_event_time, created_at
              FROM pulse.datasets""";

    private final TenantDatabase db;

    public DatasetDirectory(TenantDatabase db) {
        this.db = db;
    }

    public Optional<DatasetRecord> find(TenantId tenant, String slug) {
        return db.inTenant(tenant, tx -> find(tx, slug));
    }

    public List<DatasetRecord> list(TenantId tenant) {
        return db.inTenant(tenant, DatasetDirectory::list);
    }

    /** The bound tenant's datasets, by slug. */
    public static List<DatasetRecord> list(TenantTransaction tx) throws SQLException {
        return tx.query(SELECT + " ORDER BY slug", DatasetDirectory::map);
    }

    /** The bound tenant's dataset {@code slug}; empty for another tenant's, or for anything that is no slug. */
    public static Optional<DatasetRecord> find(TenantTransaction tx, String slug) throws SQLException {
        if (!Slugs.isValidSlug(slug)) {
            return Optional.empty();
        }
        return tx.queryOptional(SELECT + " WHERE slug = ?", DatasetDirectory::map, slug);
    }

    private static DatasetRecord map(ResultSet rs) throws SQLException {
        return new DatasetRecord(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getLong(7), TenantTransaction.instant(rs, "last_event_time"), TenantTransaction.instant(rs, "created_at"));
    }
}
