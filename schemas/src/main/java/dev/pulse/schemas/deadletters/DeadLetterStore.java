package dev.pulse.schemas.deadletters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads and changes {@code pulse.dead_letters} inside a transaction bound to the tenant (the
 * caller's {@code inTenant}): there is no way to reach another tenant's dead letters from here.
 */
public final class DeadLetterStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, state, reason, stage, message, dataset, event_id, violations::text AS violations, source_partition,"
            + " source_offset, dlq_partition, dlq_offset, record_key, payload, headers::text AS headers, omitted_bytes, attempts,"
            + " first_failed_at, last_failed_at, resolved_at, resolved_by";

    private DeadLetterStore() {
    }

    /** A failure as the DLQ topic holds it, to fold into its row. */
    public record Failure(String id, String reason, String stage, String message, String dataset, String eventId,
            List<DeadLetterRow.Violation> violations, int sourcePartition, long sourceOffset, int dlqPartition, long dlqOffset,
            byte[] key, byte[] payload, Map<String, String> headers, Long omittedBytes, int attempts, Instant firstFailedAt,
            Instant failedAt) {
    }

    /** Counts of the filtered dead letters. */
    public record CountsResult(long total, Map<String, Long> byState, Map<String, Long> byReason, Map<String, Long> byDataset,
            Map<LocalDate, Long> byDay) {
    }

    /**
     * Folds one DLQ record into its row: inserts it, or takes it over when it is a later attempt
     * (a replay that failed again: open again, or parked after {@code parkAfter} failed replays).
     * A repeat of an attempt already folded (a DLQ record re-sent after a lost table commit)
     * changes nothing, so folding is idempotent.
     */
    public static void fold(TenantTransaction tx, Failure f, int parkAfter) throws SQLException {
        String state = f.attempts() - 1 >= parkAfter ? DeadLetterState.PARKED.wireName() : DeadLetterState.OPEN.wireName();
        tx.update("""
                INSERT INTO pulse.dead_letters (tenant_id, id, state, reason, stage, message, dataset, event_id, violations,
                    source_partition, source_offset, dlq_partition, dlq_offset, record_key, payload, headers, omitted_bytes,
                    attempts, first_failed_at, last_failed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, id) DO UPDATE SET state = excluded.state, reason = excluded.reason, stage = excluded.stage,
                    message = excluded.message, dataset = excluded.dataset, event_id = excluded.event_id, violations = excluded.violations,
                    dlq_partition = excluded.dlq_partition, dlq_offset = excluded.dlq_offset, payload = excluded.payload,
                    headers = excluded.headers, omitted_bytes = excluded.omitted_bytes, attempts = excluded.attempts,
                    last_failed_at = excluded.last_failed_at, replay_run = NULL, replay_seq = NULL, resolved_at = NULL, resolved_by = NULL
                WHERE pulse.dead_letters.attempts < excluded.attempts""",
                tx.tenant(), f.id(), state, f.reason(), f.stage(), f.message(), f.dataset(), f.eventId(),
                new TenantTransaction.Json(json(f.violations())), f.sourcePartition(), f.sourceOffset(), f.dlqPartition(), f.dlqOffset(),
                f.key(), f.payload(), new TenantTransaction.Json(json(f.headers())), f.omittedBytes(), f.attempts(), f.firstFailedAt(),
                f.failedAt());
    }

    /** The next DLQ offset the indexer folds, per DLQ partition of the transaction's tenant. */
    public static Map<Integer, Long> indexedOffsets(TenantTransaction tx) throws SQLException {
        Map<Integer, Long> out = new HashMap<>();
        tx.query("SELECT dlq_partition, next_offset FROM pulse.dead_letter_offsets", rs -> out.put(rs.getInt(1), rs.getLong(2)));
        return out;
    }

    /**
     * Moves the indexer's offset of {@code partition} from {@code expected} (null: none yet) to
     * {@code next}; false when someone else moved it meanwhile (a stale indexer after a
     * rebalance), and the caller must roll back.
     */
    public static boolean advanceIndexed(TenantTransaction tx, int partition, Long expected, long next) throws SQLException {
        if (expected == null) {
            return tx.update("INSERT INTO pulse.dead_letter_offsets (tenant_id, dlq_partition, next_offset) VALUES (?, ?, ?)"
                    + " ON CONFLICT DO NOTHING", tx.tenant(), partition, next) == 1;
        }
        return tx.update("UPDATE pulse.dead_letter_offsets SET next_offset = ? WHERE dlq_partition = ? AND next_offset = ?",
                next, partition, expected) == 1;
    }

    /**
     * Counts by state, reason, dataset and first-failure day (UTC; the newest 31 days). Read from
     * {@code pulse.dead_letter_counts} (kept by triggers) when the filter is on whole days and names
     * no ids; else counted from the dead letters themselves.
     */
    public static CountsResult counts(TenantTransaction tx, DeadLetterFilter filter) throws SQLException {
        if (filter.ids().isEmpty() && wholeDay(filter.since()) && wholeDay(filter.until())) {
            StringBuilder where = new StringBuilder("n <> 0");
            List<Object> params = new ArrayList<>();
            if (filter.dataset() != null) {
                where.append(" AND dataset = ?");
                params.add(filter.dataset());
            }
            if (filter.reason() != null) {
                where.append(" AND reason = ?");
                params.add(filter.reason());
            }
            if (filter.since() != null) {
                where.append(" AND day >= ?::date");
                params.add(filter.since().atZone(ZoneOffset.UTC).toLocalDate().toString());
            }
            if (filter.until() != null) {
                where.append(" AND day < ?::date");
                params.add(filter.until().atZone(ZoneOffset.UTC).toLocalDate().toString());
            }
            if (!filter.states().isEmpty()) {
                where.append(" AND state = ANY(?)");
                params.add(filter.states().stream().map(DeadLetterState::wireName).sorted().toArray(String[]::new));
            }
            return tally(tx, "SELECT reason, dataset, state, day, n FROM pulse.dead_letter_counts WHERE " + where, params);
        }
        DeadLetterFilter.Sql sql = filter.sql();
        return tally(tx, "SELECT reason, coalesce(dataset, ''), state, (first_failed_at AT TIME ZONE 'UTC')::date, count(*)"
                + " FROM pulse.dead_letters WHERE " + sql.where() + " GROUP BY 1, 2, 3, 4", sql.params());
    }

    private static boolean wholeDay(Instant instant) {
        return instant == null || instant.atZone(ZoneOffset.UTC).toLocalTime().equals(java.time.LocalTime.MIDNIGHT);
    }

    /** {@code sql}'s rows: reason, dataset ('' for none), state, day, count. */
    private static CountsResult tally(TenantTransaction tx, String sql, List<Object> params) throws SQLException {
        Map<String, Long> byState = new LinkedHashMap<>();
        Map<String, Long> byReason = new LinkedHashMap<>();
        Map<String, Long> byDataset = new LinkedHashMap<>();
        Map<LocalDate, Long> allDays = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
        long[] total = {0};
        tx.query(sql, rs -> {
            long n = rs.getLong(5);
            byReason.merge(rs.getString(1), n, Long::sum);
            byDataset.merge(rs.getString(2), n, Long::sum);
            byState.merge(rs.getString(3), n, Long::sum);
            allDays.merge(rs.getObject(4, LocalDate.class), n, Long::sum);
            total[0] += n;
            return null;
        }, params.toArray());
        byState.values().removeIf(n -> n == 0);
        byReason.values().removeIf(n -> n == 0);
        byDataset.values().removeIf(n -> n == 0);
        Map<LocalDate, Long> byDay = new LinkedHashMap<>();
        allDays.entrySet().stream().filter(e -> e.getValue() != 0).limit(31).forEach(e -> byDay.put(e.getKey(), e.getValue()));
        return new CountsResult(total[0], sortDesc(byState), sortDesc(byReason), sortDesc(byDataset), byDay);
    }

    /** The newest {@code limit} dead letters the filter selects, newest first failure first. */
    public static List<DeadLetterRow> newest(TenantTransaction tx, DeadLetterFilter filter, int limit) throws SQLException {
        DeadLetterFilter.Sql sql = filter.sql();
        List<Object> params = new ArrayList<>(sql.params());
        params.add(limit);
        return tx.query("SELECT " + COLUMNS + " FROM pulse.dead_letters WHERE " + sql.where()
                + " ORDER BY first_failed_at DESC, id DESC LIMIT ?", DeadLetterStore::row, params.toArray());
    }

    /** The filtered dead letters with an id after {@code afterId} (byte order), at most {@code limit}, in id order. */
    public static List<DeadLetterRow> page(TenantTransaction tx, DeadLetterFilter filter, String afterId, int limit) throws SQLException {
        DeadLetterFilter.Sql sql = filter.sql();
        List<Object> params = new ArrayList<>(sql.params());
        params.add(afterId);
        params.add(limit);
        return tx.query("SELECT " + COLUMNS + " FROM pulse.dead_letters WHERE " + sql.where() + " AND id > ? ORDER BY id LIMIT ?",
                DeadLetterStore::row, params.toArray());
    }

    public static Optional<DeadLetterRow> find(TenantTransaction tx, String id) throws SQLException {
        return tx.queryOptional("SELECT " + COLUMNS + " FROM pulse.dead_letters WHERE id = ?", DeadLetterStore::row, id);
    }

    /** Marks the open or parked dead letters the filter selects dropped; how many. */
    public static int drop(TenantTransaction tx, DeadLetterFilter filter, String actor, Instant now) throws SQLException {
        return dropReturning(tx, filter, actor, now).size();
    }

    /** Marks the open or parked dead letters the filter selects dropped; the reason of each, by its id. */
    public static Map<String, String> dropReturning(TenantTransaction tx, DeadLetterFilter filter, String actor, Instant now) throws SQLException {
        DeadLetterFilter.Sql sql = filter.sql();
        List<Object> params = new ArrayList<>();
        params.add(now);
        params.add(actor);
        params.addAll(sql.params());
        Map<String, String> dropped = new java.util.LinkedHashMap<>();
        tx.query("UPDATE pulse.dead_letters SET state = 'dropped', resolved_at = ?, resolved_by = ?, replay_run = NULL,"
                + " replay_seq = NULL WHERE " + sql.where() + " AND state IN ('open', 'parked') RETURNING id, reason",
                rs -> dropped.put(rs.getString(1), rs.getString(2)), params.toArray());
        return dropped;
    }

    /** How many dead letters the filter selects among those a replay or drop would take. */
    public static long count(TenantTransaction tx, DeadLetterFilter filter) throws SQLException {
        DeadLetterFilter.Sql sql = filter.sql();
        return tx.queryOptional("SELECT count(*) FROM pulse.dead_letters WHERE " + sql.where(), rs -> rs.getLong(1),
                sql.params().toArray()).orElse(0L);
    }

    // ---- replay runs ----

    /** A replay run as stored. */
    public record ReplayRun(UUID runId, String actor, String filterJson, String patchJson, int selected, int replayed, Instant startedAt) {
    }

    public static Optional<ReplayRun> runningReplay(TenantTransaction tx) throws SQLException {
        return tx.queryOptional("SELECT run_id, actor, filter::text, patch::text, selected, replayed, started_at FROM pulse.dead_letter_replays"
                + " WHERE state = 'running'", rs -> new ReplayRun(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getInt(6), TenantTransaction.instant(rs, "started_at")));
    }

    /**
     * Starts a run: marks every selected dead letter {@code replaying} for it and records the run;
     * returns how many it selected.
     */
    public static int startReplay(TenantTransaction tx, UUID runId, DeadLetterFilter filter, String actor, String patchJson, Instant now)
            throws SQLException {
        DeadLetterFilter.Sql sql = filter.sql();
        List<Object> params = new ArrayList<>();
        params.add(runId);
        params.addAll(sql.params());
        int selected = tx.update("UPDATE pulse.dead_letters SET state = 'replaying', replay_run = ?, replay_seq = NULL WHERE "
                + sql.where() + " AND state IN ('open', 'parked') AND reason <> 'tenant-mismatch' AND payload IS NOT NULL", params.toArray());
        tx.update("INSERT INTO pulse.dead_letter_replays (tenant_id, run_id, state, actor, filter, patch, selected, started_at)"
                + " VALUES (?, ?, 'running', ?, ?, ?, ?, ?)", tx.tenant(), runId, actor, new TenantTransaction.Json(json(filter.describe())),
                patchJson == null ? null : new TenantTransaction.Json(patchJson), selected, now);
        return selected;
    }

    /**
     * The next {@code limit} rows of the run not yet given a sequence number, given {@code seq}. In
     * no particular order: straight from the {@code dead_letters_replay} index, so a run of a million
     * does not sort what is left for every chunk.
     */
    public static List<DeadLetterRow> claimChunk(TenantTransaction tx, UUID runId, long seq, int limit) throws SQLException {
        List<DeadLetterRow> rows = tx.query("SELECT " + COLUMNS + " FROM pulse.dead_letters WHERE replay_run = ? AND replay_seq IS NULL"
                + " AND state = 'replaying' LIMIT ? FOR UPDATE", DeadLetterStore::row, runId, limit);
        if (!rows.isEmpty()) {
            tx.update("UPDATE pulse.dead_letters SET replay_seq = ? WHERE replay_run = ? AND id = ANY(?)", seq, runId,
                    rows.stream().map(DeadLetterRow::id).toArray(String[]::new));
        }
        return rows;
    }

    /** Rows of a chunk that went out (its Kafka transaction committed): replayed. Rows failed again meanwhile keep their newer state. */
    public static int confirmSent(TenantTransaction tx, UUID runId, long upToSeq, String actor, Instant now) throws SQLException {
        int n = tx.update("UPDATE pulse.dead_letters SET state = 'replayed', resolved_at = ?, resolved_by = ? WHERE replay_run = ?"
                + " AND replay_seq <= ? AND state = 'replaying'", now, actor, runId, upToSeq);
        tx.update("UPDATE pulse.dead_letter_replays SET replayed = replayed + ? WHERE run_id = ?", n, runId);
        return n;
    }

    /** Rows of chunks whose Kafka transaction did not commit (a crash): back to unsent, to go again. */
    public static int unclaimAfter(TenantTransaction tx, UUID runId, long committedSeq) throws SQLException {
        return tx.update("UPDATE pulse.dead_letters SET replay_seq = NULL WHERE replay_run = ? AND replay_seq > ? AND state = 'replaying'",
                runId, committedSeq);
    }

    public static void finishReplay(TenantTransaction tx, UUID runId, Instant now) throws SQLException {
        tx.update("UPDATE pulse.dead_letter_replays SET state = 'done', finished_at = ? WHERE run_id = ?", now, runId);
    }

    /** Appends an audit entry about the transaction's tenant, in the transaction (as the control plane's AuditLog does). */
    public static void audit(TenantTransaction tx, String actor, String action, Map<String, ?> detail) throws SQLException {
        tx.queryOptional("SELECT pulse.record_audit(?, ?, ?, ?)", rs -> rs.getLong(1), actor, action, tx.tenant(),
                new TenantTransaction.Json(json(detail)));
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serializable to JSON", e);
        }
    }

    private static DeadLetterRow row(ResultSet rs) throws SQLException {
        try {
            List<DeadLetterRow.Violation> violations = JSON.readValue(rs.getString("violations"), new TypeReference<>() {
            });
            Map<String, String> headers = JSON.readValue(rs.getString("headers"), new TypeReference<LinkedHashMap<String, String>>() {
            });
            long omitted = rs.getLong("omitted_bytes");
            Long omittedBytes = rs.wasNull() ? null : omitted;
            return new DeadLetterRow(rs.getString("id"), DeadLetterState.fromWire(rs.getString("state")).orElseThrow(), rs.getString("reason"),
                    rs.getString("stage"), rs.getString("message"), rs.getString("dataset"), rs.getString("event_id"), violations,
                    rs.getInt("source_partition"), rs.getLong("source_offset"), rs.getInt("dlq_partition"), rs.getLong("dlq_offset"),
                    rs.getBytes("record_key"), rs.getBytes("payload"), headers, omittedBytes, rs.getInt("attempts"),
                    TenantTransaction.instant(rs, "first_failed_at"), TenantTransaction.instant(rs, "last_failed_at"),
                    TenantTransaction.instant(rs, "resolved_at"), rs.getString("resolved_by"));
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable JSON in pulse.dead_letters", e);
        }
    }

    private static <K> Map<K, Long> sortDesc(Map<K, Long> counts) {
        Map<K, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<K, Long>comparingByValue().reversed()).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
