package dev.pulse.worker.lake;

import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import dev.pulse.worker.RetryPolicy;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.common.TopicPartition;

/**
 * The tenant's {@code pulse.ingest_commits} ledger and the dataset's stats, always written inside
 * {@code inTenant}. The snapshots are the truth; the ledger is their index for operators and is
 * rebuilt from the snapshot summaries by {@link #reconcile} when a crash fell between the two.
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
     * Inserts the ledger rows of every Pulse snapshot the table holds that the ledger misses, and
     * sets the dataset's stats from the table: {@code row_count} from the current snapshot's
     * {@code total-records}, the newest event and commit times from the summaries.
     *
     * @return how many ledger rows were missing
     */
    public int reconcile(TenantId tenant, String datasetSlug, Table table) {
        Snapshot current = table.currentSnapshot();
        long totalRecords = current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-records", "0"));
        return retry.database("reconcile " + datasetSlug, () -> db.inTenant(tenant, tx -> {
            // Only snapshots the ledger misses are inserted; the walk itself is in memory.
            java.util.Set<Long> recorded = new java.util.HashSet<>(tx.query(
                    "SELECT DISTINCT snapshot_id FROM pulse.ingest_commits WHERE dataset_slug = ?", rs -> rs.getLong(1), datasetSlug));
            int inserted = 0;
            Instant newestEvent = null;
            Instant newestCommit = null;
            for (Snapshot s : table.snapshots()) {
                Map<TopicPartition, OffsetRange> ranges = SnapshotOffsets.commitOf(s);
                if (ranges.isEmpty()) {
                    continue;
                }
                Instant committedAt = Instant.ofEpochMilli(s.timestampMillis());
                if (!recorded.contains(s.snapshotId())) {
                    inserted += insert(tx, tenant, datasetSlug, s.snapshotId(), ranges, committedAt);
                }
                Optional<Instant> maxEvent = SnapshotOffsets.maxEventTimeOf(s);
                if (maxEvent.isPresent() && (newestEvent == null || maxEvent.get().isAfter(newestEvent))) {
                    newestEvent = maxEvent.get();
                }
                if (newestCommit == null || committedAt.isAfter(newestCommit)) {
                    newestCommit = committedAt;
                }
            }
            tx.update("""
                    UPDATE pulse.datasets
                       SET row_count = ?,
                           last_event_time = greatest(last_event_time, ?),
                           last_commit_at = greatest(last_commit_at, ?)
                     WHERE slug = ?""",
                    totalRecords, newestEvent, newestCommit, datasetSlug);
            return inserted;
        }));
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
