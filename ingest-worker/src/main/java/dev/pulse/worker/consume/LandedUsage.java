package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.usage.UsageMetric;
import dev.pulse.schemas.usage.UsageRecord;
import dev.pulse.worker.lake.OffsetRange;
import dev.pulse.worker.lake.SnapshotOffsets;
import dev.pulse.worker.lake.TableCommitResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage records "rows landed" waiting for the next Kafka transaction: one per table commit
 * ({@code landed/<table>/<snapshot id>}), sent by {@link KafkaCommit} with the batch's dead
 * letters and group offsets and forgotten only once that transaction committed.
 *
 * <p>Exact across crashes: a process that dies between a table commit and its Kafka transaction
 * leaves rows in the table whose record was never sent (an aborted transaction's records are
 * never read). The records of such commits lie at or above the partition's group offset, so when
 * a partition is positioned ({@link Repositioning}, on every assignment and re-seek) each of the
 * tenant's tables is walked newest snapshot first, and every worker commit with rows of that
 * partition from the group offset on is queued again; the walk stops at the first snapshot whose
 * offsets map holds nothing of those partitions beyond their group offsets (usually the current
 * one: nothing to read). A commit may be queued twice (two partitions of one commit, or a
 * transaction that committed after all): the usage topology counts an id once. Thread-safe: a
 * batch's tables may commit on several threads.
 */
final class LandedUsage {
    private static final Logger LOG = LoggerFactory.getLogger(LandedUsage.class);
    /**
     * The topology accepts records at most an hour behind its stream time (its grace): a commit
     * recovered later than that is counted in a recent minute instead of its own.
     */
    static final Duration MAX_LATENESS = Duration.ofMinutes(30);
    /** Without a group offset, only commits the topology may still remember are re-sent (older ones were counted, or never will be). */
    private static final Duration NO_OFFSET_HORIZON = Duration.ofDays(UsageRecord.DEDUP_RETENTION_DAYS - 1);

    private final Map<String, UsageRecord> pending = new LinkedHashMap<>();

    /** A table commit of this worker: {@code rows} rows of {@code dataset} landed as {@code commit}. */
    synchronized void committed(TenantId tenant, String dataset, Table table, TableCommitResult commit, long rows) {
        queue(tenant, dataset, table.name(), commit.snapshotId(), commit.committedAt(), rows, commit.committedAt());
    }

    /**
     * Queues again the commits of {@code table} (of {@code dataset}) whose rows came from records of
     * {@code partitions} at or above their group offset (a value of -1: the partition has none).
     */
    synchronized void recover(TenantId tenant, String dataset, Table table, Map<TopicPartition, Long> partitions, Instant now) {
        if (partitions.isEmpty()) {
            return;
        }
        int recovered = 0;
        Snapshot snapshot = table.currentSnapshot();
        while (snapshot != null) {
            boolean young = Instant.ofEpochMilli(snapshot.timestampMillis()).isAfter(now.minus(NO_OFFSET_HORIZON));
            if (SnapshotOffsets.carriesOffsets(snapshot) && !holdsAnyAbove(SnapshotOffsets.offsetsOf(snapshot), partitions, young)) {
                break; // this snapshot and every older one hold nothing of these partitions above their group offsets
            }
            Map<TopicPartition, OffsetRange> commit = SnapshotOffsets.commitOf(snapshot);
            if (!commit.isEmpty() && holdsAnyAbove(nextOffsets(commit), partitions, young)) {
                long rows = Long.parseLong(snapshot.summary().getOrDefault("added-records", "0"));
                if (rows > 0) {
                    Instant at = Instant.ofEpochMilli(snapshot.timestampMillis());
                    queue(tenant, dataset, table.name(), snapshot.snapshotId(), at, rows, now);
                    recovered++;
                }
            }
            snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
        }
        if (recovered > 0) {
            LOG.info("{}: {} commit(s) at or above the group offsets of {} are counted as landed again (the usage topology counts each once)",
                    table.name(), recovered, partitions.keySet());
        }
    }

    private static Map<TopicPartition, Long> nextOffsets(Map<TopicPartition, OffsetRange> commit) {
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        commit.forEach((tp, range) -> next.put(tp, range.nextOffset()));
        return next;
    }

    /** Whether {@code nextOffsets} reaches above the group offset of one of {@code partitions} (-1: none, then only a young snapshot counts). */
    private static boolean holdsAnyAbove(Map<TopicPartition, Long> nextOffsets, Map<TopicPartition, Long> partitions, boolean young) {
        for (Map.Entry<TopicPartition, Long> p : partitions.entrySet()) {
            Long next = nextOffsets.get(p.getKey());
            if (next == null) {
                continue;
            }
            if (p.getValue() < 0 ? young : next > p.getValue()) {
                return true;
            }
        }
        return false;
    }

    private void queue(TenantId tenant, String dataset, String table, long snapshotId, Instant committedAt, long rows, Instant now) {
        // Within the topology's grace, so that no recovered count is dropped as late.
        Instant at = committedAt.isBefore(now.minus(MAX_LATENESS)) ? now.minus(MAX_LATENESS) : committedAt;
        String id = "landed/" + table + "/" + snapshotId;
        pending.put(id, new UsageRecord(tenant, at, UsageMetric.ROWS_LANDED, dataset, rows, id));
    }

    /** What the next Kafka transaction sends. */
    synchronized List<UsageRecord> pending() {
        return List.copyOf(pending.values());
    }

    /** The transaction that carried {@code records} committed. */
    synchronized void sent(Collection<UsageRecord> records) {
        records.forEach(r -> pending.remove(r.id()));
    }
}
