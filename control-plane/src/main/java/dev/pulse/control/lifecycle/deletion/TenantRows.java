package dev.pulse.control.lifecycle.deletion;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tenant's rows in PostgreSQL. The tenant tables are found from the catalog exactly as
 * {@code pulse doctor} finds them (schema {@code pulse}, a {@code tenant_id} column), so a table
 * added later is covered without a change here; rows are removed as {@code pulse_app} in one
 * transaction bound to the tenant (row-level security shows it exactly the tenant's rows),
 * children before the tables their foreign keys reference.
 */
final class TenantRows {
    static final String STORE = "postgresql";

    private static final String TENANT_TABLES = """
            SELECT c.oid, n.nspname || '.' || c.relname, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                   has_table_privilege(current_user, c.oid, 'DELETE')
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
             WHERE c.relkind IN ('r', 'p') AND n.nspname = 'pulse'
             ORDER BY 2""";
    private static final String FOREIGN_KEYS = """
            SELECT conrelid, confrelid FROM pg_constraint
             WHERE contype = 'f' AND connamespace = 'pulse'::regnamespace AND conrelid <> confrelid""";

    record TenantTable(long oid, String name, String quoted, boolean deletable) {
    }

    private final TenantDatabase db;

    TenantRows(TenantDatabase db) {
        this.db = db;
    }

    /** Every tenant table, referencing tables before the tables they reference. */
    List<TenantTable> tables(TenantId tenant) {
        return db.inTenant(tenant, TenantRows::tables);
    }

    /** Refuses, naming them, when the runtime role may not DELETE in some tenant table: the job would leave its rows. */
    void requireDeletable(TenantId tenant) {
        List<String> missing = tables(tenant).stream().filter(t -> !t.deletable()).map(TenantTable::name).toList();
        if (!missing.isEmpty()) {
            throw new DeletionException("pulse_app may not DELETE from tenant table(s) " + missing
                    + ": tenant deletion removes rows as pulse_app under row-level security; add `GRANT DELETE ON <table> TO pulse_app` "
                    + "to the migration that created the table. Nothing was deleted.");
        }
    }

    /** The tenant's row count in every tenant table. */
    Map<String, Long> count(TenantId tenant) {
        return db.inTenant(tenant, tx -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (TenantTable t : tables(tx)) {
                counts.put(t.name(), tx.queryOptional("SELECT count(*) FROM " + t.quoted() + " WHERE tenant_id = ?", rs -> rs.getLong(1), tenant)
                        .orElse(0L));
            }
            return counts;
        });
    }

    /** Deletes every row of the tenant in one transaction; returns the rows removed per table. */
    Map<String, Long> delete(TenantId tenant) {
        return db.inTenant(tenant, tx -> {
            Map<String, Long> removed = new LinkedHashMap<>();
            for (TenantTable t : tables(tx)) {
                removed.put(t.name(), (long) tx.update("DELETE FROM " + t.quoted() + " WHERE tenant_id = ?", tenant));
            }
            return removed;
        });
    }

    static ObjectNode json(Map<String, Long> counts) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        counts.forEach(out::put);
        return out;
    }

    private static List<TenantTable> tables(TenantTransaction tx) throws SQLException {
        List<TenantTable> all = tx.query(TENANT_TABLES, rs -> new TenantTable(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
        Map<Long, Set<Long>> referencedBy = new HashMap<>();
        for (long[] edge : tx.query(FOREIGN_KEYS, rs -> new long[] {rs.getLong(1), rs.getLong(2)})) {
            referencedBy.computeIfAbsent(edge[1], k -> new HashSet<>()).add(edge[0]);
        }
        // Depth-first: a table is placed after every table that references it.
        Map<Long, TenantTable> byOid = new LinkedHashMap<>();
        all.forEach(t -> byOid.put(t.oid(), t));
        List<TenantTable> ordered = new ArrayList<>();
        Set<Long> placed = new HashSet<>();
        for (TenantTable t : all) {
            place(t.oid(), byOid, referencedBy, placed, new HashSet<>(), ordered);
        }
        return ordered;
    }

    private static void place(long oid, Map<Long, TenantTable> byOid, Map<Long, Set<Long>> referencedBy, Set<Long> placed, Set<Long> visiting,
            List<TenantTable> ordered) {
        if (placed.contains(oid) || !byOid.containsKey(oid) || !visiting.add(oid)) {
            return;
        }
        for (long child : referencedBy.getOrDefault(oid, Set.of())) {
            place(child, byOid, referencedBy, placed, visiting, ordered);
        }
        placed.add(oid);
        ordered.add(byOid.get(oid));
    }
}
