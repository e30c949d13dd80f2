package dev.pulse.worker.dedup;

import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.lake.LakeRow;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Claims the event ids of one table's rows of a batch in {@code pulse.event_ids}, under RLS for
 * the tenant, and tells which rows are duplicates. The protocol is in this package's
 * documentation; its one rule: a row is kept iff the claim of its id holds the row's own Kafka
 * position, so claiming again after a crash keeps the same rows.
 */
public final class EventIdClaims {
    /** Longer ids are not deduplicated (the ingest-api allows 128 characters). */
    static final int MAX_ID_LENGTH = 1024;

    /**
     * The common case, a batch of ids seen for the first time: inserted without conflict handling
     * beyond skipping, and nothing returned. When it inserted every id, every row holds its own
     * claim; otherwise {@link #CLAIM} runs in the same transaction for all of them (it sees this
     * statement's rows as held by their own positions).
     */
    private static final String CLAIM_FRESH = """
            INSERT INTO pulse.event_ids (tenant_id, dataset_slug, event_id, kafka_partition, kafka_offset, first_seen)
            SELECT ?, ?, i.id, i.p, i.o, now()
              FROM unnest(?::text[], ?::integer[], ?::bigint[]) AS i(id, p, o)
            ON CONFLICT (tenant_id, dataset_slug, event_id) DO NOTHING""";

    static final String CLAIM = """
            INSERT INTO pulse.event_ids AS e (tenant_id, dataset_slug, event_id, kafka_partition, kafka_offset, first_seen)
            SELECT ?, ?, i.id, i.p, i.o, now()
              FROM unnest(?::text[], ?::integer[], ?::bigint[]) AS i(id, p, o)
            ON CONFLICT (tenant_id, dataset_slug, event_id) DO UPDATE
               SET kafka_partition = CASE WHEN e.first_seen < now() - ? * interval '1 millisecond' THEN excluded.kafka_partition ELSE e.kafka_partition END,
                   kafka_offset = CASE WHEN e.first_seen < now() - ? * interval '1 millisecond' THEN excluded.kafka_offset ELSE e.kafka_offset END,
                   first_seen = CASE WHEN e.first_seen < now() - ? * interval '1 millisecond' THEN excluded.first_seen ELSE e.first_seen END
            RETURNING e.event_id, e.kafka_partition, e.kafka_offset""";

    private final TenantDatabase db;
    private final RetryPolicy retry;
    private final Duration window;
    private final ClaimPruning pruning;
    private final AtomicLong duplicatesSkipped = new AtomicLong();

    public EventIdClaims(TenantDatabase db, RetryPolicy retry, Duration window) {
        this.db = db;
        this.retry = retry;
        this.window = window;
        this.pruning = new ClaimPruning(window);
    }

    /** A Kafka position of the tenant's raw topic. */
    private record Position(int partition, long offset) {
        static Position of(LakeRow row) {
            return new Position(row.source().partition(), row.offset());
        }
    }

    /**
     * Claims the ids of {@code rows} (one table's rows of a batch, in the batch's order) for the
     * dataset, in one tenant transaction that commits before this returns.
     */
    public ClaimResult claim(TenantId tenant, String dataset, List<LakeRow> rows) {
        Map<String, Position> first = new LinkedHashMap<>();
        for (LakeRow row : rows) {
            String id = claimableId(row);
            if (id != null) {
                first.putIfAbsent(id, Position.of(row));
            }
        }
        Map<String, Position> holders = first.isEmpty() ? Map.of()
                : retry.database("claiming event ids of " + tenant + "/" + dataset, () -> db.inTenant(tenant, tx -> {
                    Map<String, Position> claimed = insert(tx, dataset, first);
                    pruning.pruneIfDue(tx, System.nanoTime());
                    return claimed;
                }));
        List<LakeRow> kept = new ArrayList<>(rows.size());
        List<LakeRow> duplicates = new ArrayList<>();
        for (LakeRow row : rows) {
            String id = claimableId(row);
            if (id == null || Position.of(row).equals(holders.get(id))) {
                kept.add(row);
            } else {
                duplicates.add(row);
            }
        }
        duplicatesSkipped.addAndGet(duplicates.size());
        return new ClaimResult(kept, duplicates);
    }

    private Map<String, Position> insert(TenantTransaction tx, String dataset, Map<String, Position> first) throws SQLException {
        String[] ids = new String[first.size()];
        int[] partitions = new int[first.size()];
        long[] offsets = new long[first.size()];
        int i = 0;
        for (Map.Entry<String, Position> e : first.entrySet()) {
            ids[i] = e.getKey();
            partitions[i] = e.getValue().partition();
            offsets[i] = e.getValue().offset();
            i++;
        }
        if (tx.update(CLAIM_FRESH, tx.tenant(), dataset, ids, partitions, offsets) == first.size()) {
            return first; // every id was new: each row holds its own claim
        }
        long windowMs = window.toMillis();
        Map<String, Position> holders = new HashMap<>(first.size() * 2);
        tx.query(CLAIM, rs -> holders.put(rs.getString(1), new Position(rs.getInt(2), rs.getLong(3))),
                tx.tenant(), dataset, ids, partitions, offsets, windowMs, windowMs, windowMs);
        return holders;
    }

    /**
     * Gives back the claims of rows that will not be stored after all (the Parquet writer refused
     * them; they go to the DLQ), so that a corrected resend or a replay of the dead letter lands.
     */
    public void release(TenantId tenant, String dataset, List<LakeRow> rows) {
        List<LakeRow> claimable = rows.stream().filter(r -> claimableId(r) != null).toList();
        if (claimable.isEmpty()) {
            return;
        }
        String[] ids = claimable.stream().map(EventIdClaims::claimableId).toArray(String[]::new);
        String[] partitions = claimable.stream().map(r -> Integer.toString(r.source().partition())).toArray(String[]::new);
        String[] offsets = claimable.stream().map(r -> Long.toString(r.offset())).toArray(String[]::new);
        retry.database("releasing event ids of " + tenant + "/" + dataset, () -> db.inTenant(tenant, tx -> tx.update("""
                DELETE FROM pulse.event_ids e USING unnest(?::text[], ?::text[], ?::text[]) AS i(id, p, o)
                 WHERE e.dataset_slug = ? AND e.event_id = i.id AND e.kafka_partition = i.p::integer AND e.kafka_offset = i.o::bigint""",
                ids, partitions, offsets, dataset)));
    }

    /** Duplicates this worker skipped since it started. */
    public long duplicatesSkipped() {
        return duplicatesSkipped.get();
    }

    /** Paired surrogates become one code point; an unpaired one stays a code point in the surrogate range. */
    private static boolean hasUnpairedSurrogate(String id) {
        return id.codePoints().anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    }

    /** The row's event id, or null when PostgreSQL text cannot hold it faithfully (NUL, an unpaired surrogate; such ids are not deduplicated). */
    private static String claimableId(LakeRow row) {
        Object value = row.row().getField(EventSchema.EVENT_ID);
        if (!(value instanceof String id) || id.isEmpty() || id.length() > MAX_ID_LENGTH || id.indexOf('\0') >= 0
                || hasUnpairedSurrogate(id)) {
            return null;
        }
        return id;
    }
}
