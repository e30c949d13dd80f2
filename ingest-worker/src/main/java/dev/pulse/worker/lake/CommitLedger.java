package dev.pulse.worker.lake;

import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import dev.pulse.worker.RetryPolicy;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.common.TopicPartition;

/**
 * The tenant's {@code pulse.ingest_commits} ledger and the dataset's stats, always written inside
 * {@code inTenant}. The snapshots are the truth; the ledger is their index for operators and is
 * repaired from the snapshot summaries by {@link #reconcile} when a crash fell between the two.
 * Its size follows the tables' retention, not their age: lake maintenance prunes the rows of
 * expired snapshots ({@link #pruneExpired}).
 */
public final class CommitLedger {
    private static final String INSERT = """
            INSERT INTO pulse.ingest_commits
                (tenant_id, dataset_slug, snapshot_id, topic, kafka_partition, first_offset, next_offset, record_count, committed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";

    private final TenantDatabase db;
    private final RetryPolicy retry;

    public CommitLedger(TenantDatabase db, RetryPolicy retry) {
        this.db = db;
        this.retry = retry;
    }

    /** Records one table commit; idempotent: a commit the reconciler already recorded adds nothing twice. */
    public void record(TenantId tenant, String datasetSlug, TableCommitResult commit, TableWriteResult write) {
        retry.database("ledger for " + datasetSlug, () -> db.inTenant(tenant, tx -> {
            lockDataset(tx, datasetSlug);
            int inserted = insert(tx, tenant, datasetSlug, commit.snapshotId(), write.ranges(), commit.committedAt());
            if (inserted > 0) {
                tx.update("""
                        UPDATE pulse.datasets
                           SET row_count = row_count + ?,
                               last_event_time = greatest(last_event_time, ?),
                               last_commit_at = greatest(last_commit_at, ?)
                         WHERE slug = ?""",
                        write.recordCount(), write.maxEventTime(), commit.committedAt(), datasetSlug);
            }
            return inserted;
        }));
    }

    /**
     * Repairs the ledger from the table, reading only what it needs: for each partition in the
     * table's offsets map, the ledger's newest next offset (one index probe each); a partition
     * whose newest ledger row reaches the table's stored offset has nothing missing. Only for the
     * partitions behind does it walk the current snapshot's ancestry newest first, inserting the
     * ranges of each Pulse snapshot past the ledger, and it stops as soon as it reaches, for every
     * such partition, a snapshot the ledger holds. A crash leaves at most the last commit(s) of the
     * partitions the dead worker owned unrecorded, so the walk is as long as the commits since
     * then, whatever the table's age. It relies on the ledger holding, per partition, every commit
     * older than its newest row: {@link #record} runs right after each table commit and stops the
     * worker when it cannot write, and a table reconciliation skipped is done before the next
     * commit to that table ({@code consume.LedgerReconciliation}).
     *
     * <p>Sets the dataset's stats: {@code row_count} from the current snapshot's
     * {@code total-records} (the table is refreshed under the dataset row's lock, so a handle
     * loaded before another worker's commit cannot take that commit's rows back); the newest event and commit times from the walked snapshots, never
     * below what the row already holds.
     */
    public ReconcileResult reconcile(TenantId tenant, String datasetSlug, Table table) {
        return retry.database("reconcile " + datasetSlug, () -> db.inTenant(tenant, tx -> {
            // The table is read under the dataset row's lock: a commit another worker records after
            // this read adds its rows to the count set below; one recorded before it is in the read.
            lockDataset(tx, datasetSlug);
            table.refresh();
            Snapshot current = table.currentSnapshot();
            long totalRecords = current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-records", "0"));
            Map<TopicPartition, Long> stored = SnapshotOffsets.stored(table);
            Map<TopicPartition, Long> recordedUpTo = newestRecorded(tx, datasetSlug, stored.keySet());
            Set<TopicPartition> behind = new HashSet<>();
            stored.forEach((tp, next) -> {
                if (next > recordedUpTo.getOrDefault(tp, -1L)) {
                    behind.add(tp);
                }
            });
            int inserted = 0;
            int read = 0;
            Instant newestEvent = null;
            Instant newestCommit = null;
            Snapshot s = behind.isEmpty() ? null : current;
            while (s != null && !behind.isEmpty()) {
                read++;
                Map<TopicPartition, OffsetRange> ranges = SnapshotOffsets.commitOf(s);
                boolean missing = false;
                for (Map.Entry<TopicPartition, OffsetRange> range : ranges.entrySet()) {
                    if (!behind.contains(range.getKey())) {
                        continue;
                    }
                    if (range.getValue().nextOffset() <= recordedUpTo.getOrDefault(range.getKey(), -1L)) {
                        behind.remove(range.getKey()); // this and every older commit of the partition are recorded
                    } else {
                        missing = true;
                    }
                }
                if (missing) {
                    Instant committedAt = Instant.ofEpochMilli(s.timestampMillis());
                    inserted += insert(tx, tenant, datasetSlug, s.snapshotId(), ranges, committedAt);
                    Optional<Instant> maxEvent = SnapshotOffsets.maxEventTimeOf(s);
                    if (maxEvent.isPresent() && (newestEvent == null || maxEvent.get().isAfter(newestEvent))) {
                        newestEvent = maxEvent.get();
                    }
                    if (newestCommit == null || committedAt.isAfter(newestCommit)) {
                        newestCommit = committedAt;
                    }
                }
                s = s.parentId() == null ? null : table.snapshot(s.parentId());
            }
            tx.update("""
                    UPDATE pulse.datasets
                       SET row_count = ?,
                           last_event_time = greatest(last_event_time, ?),
                           last_commit_at = greatest(last_commit_at, ?)
                     WHERE slug = ?""",
                    totalRecords, newestEvent, newestCommit, datasetSlug);
            return new ReconcileResult(inserted, read);
        }));
    }

    /**
     * Takes the dataset row's lock, first thing in both {@link #record} and {@link #reconcile}:
     * with several workers on one table, a reconciliation (which sets {@code row_count} from the
     * table it reads) and another worker's record (which adds its commit's rows) then happen one
     * after the other, in the same order as the reads they rest on, and none takes rows back out
     * of the count. The same order in both keeps them from deadlocking on the ledger's rows.
     */
    private static void lockDataset(TenantTransaction tx, String datasetSlug) throws SQLException {
        tx.queryOptional("SELECT slug FROM pulse.datasets WHERE slug = ? FOR UPDATE", rs -> rs.getString(1), datasetSlug);
    }

    /** What a reconciliation did: ledger rows inserted, and how many snapshots it read to find them. */
    public record ReconcileResult(int inserted, int snapshotsRead) {
    }

    /** Per partition, the largest next offset the ledger holds for the dataset (absent: no row). */
    private static Map<TopicPartition, Long> newestRecorded(TenantTransaction tx, String datasetSlug, Set<TopicPartition> partitions)
            throws SQLException {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            // Reads one entry of the index ingest_commits_partition_progress (tenant, dataset, topic, partition, next offset).
            tx.queryOptional("""
                    SELECT next_offset FROM pulse.ingest_commits
                     WHERE dataset_slug = ? AND topic = ? AND kafka_partition = ?
                     ORDER BY next_offset DESC LIMIT 1""",
                    rs -> rs.getLong(1), datasetSlug, tp.topic(), tp.partition())
                    .ifPresent(next -> out.put(tp, next));
        }
        return out;
    }

    /**
     * Deletes the ledger rows of the dataset's snapshots that are gone from its table (expired by
     * lake maintenance, or lost with a catalog that went back), except each partition's newest
     * row, which reconciliation needs to know what the ledger holds. Rows committed at or after
     * the newest snapshot {@code table} shows are kept: they may be commits newer than this view
     * of the table. For lake maintenance, after it expired snapshots (a racing worker commit is
     * safe); the ledger then grows with the retention window, not with the table's age.
     *
     * @return how many rows were deleted
     */
    public int pruneExpired(TenantId tenant, String datasetSlug, Table table) {
        if (table.currentSnapshot() == null) {
            return 0;
        }
        List<Snapshot> snapshots = new ArrayList<>();
        table.snapshots().forEach(snapshots::add);
        long[] live = snapshots.stream().mapToLong(Snapshot::snapshotId).toArray();
        Instant newest = Instant.ofEpochMilli(snapshots.stream().mapToLong(Snapshot::timestampMillis).max().orElseThrow());
        return retry.database("prune ledger of " + datasetSlug, () -> db.inTenant(tenant, tx -> tx.update("""
                DELETE FROM pulse.ingest_commits c
                 WHERE c.dataset_slug = ? AND c.committed_at < ? AND c.snapshot_id <> ALL (?)
                   AND c.next_offset < (SELECT max(n.next_offset) FROM pulse.ingest_commits n
                                         WHERE n.dataset_slug = c.dataset_slug AND n.topic = c.topic
                                           AND n.kafka_partition = c.kafka_partition)""",
                datasetSlug, newest, live)));
    }

    private static int insert(TenantTransaction tx, TenantId tenant, String datasetSlug, long snapshotId,
            Map<TopicPartition, OffsetRange> ranges, Instant committedAt) throws SQLException {
        int inserted = 0;
        for (Map.Entry<TopicPartition, OffsetRange> e : ranges.entrySet()) {
            // Only this tenant's topic can appear here: rows are routed by the topic's tenant.
            if (!Topics.tenantOf(e.getKey().topic()).map(tenant::equals).orElse(false)) {
                throw new IllegalStateException("snapshot " + snapshotId + " of " + datasetSlug + " names foreign topic " + e.getKey().topic());
            }
            OffsetRange r = e.getValue();
            inserted += tx.update(INSERT, tenant, datasetSlug, snapshotId, e.getKey().topic(), e.getKey().partition(),
                    r.firstOffset(), r.nextOffset(), r.recordCount(), committedAt);
        }
        return inserted;
    }
}
