package dev.pulse.worker.lake;

import dev.pulse.worker.RetryPolicy;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.kafka.common.TopicPartition;

/**
 * One append per table per batch, guarded: right before every attempt the table is refreshed and
 * its stored offsets must not already cover any record of the batch. Dataset tables are created
 * with {@code commit.retry.num-retries=0}, so a concurrent commit surfaces here as
 * {@link CommitFailedException} and the guard runs again, instead of Iceberg re-applying the
 * append on top of a commit that may hold the same records.
 */
public final class TableCommitter {
    private TableCommitter() {
    }

    public static TableCommitResult commit(Table table, TableWriteResult write, RetryPolicy retry) {
        String commitId = UUID.randomUUID().toString();
        return retry.call("commit to " + table.name(), () -> attempt(table, write, commitId),
                e -> e instanceof CommitFailedException || e instanceof CommitStateUnknownException);
    }

    private static TableCommitResult attempt(Table table, TableWriteResult write, String commitId) {
        table.refresh();
        // An earlier attempt whose outcome was unknown may have landed after all.
        Optional<Snapshot> landed = find(table, commitId);
        if (landed.isPresent()) {
            return result(landed.get());
        }
        Map<TopicPartition, Long> stored = SnapshotOffsets.stored(table);
        requireNotCovered(table.name(), stored, write.ranges());
        Map<TopicPartition, Long> merged = new HashMap<>(stored);
        write.ranges().forEach((tp, range) -> merged.put(tp, range.nextOffset()));
        AppendFiles append = table.newAppend();
        write.files().forEach(append::appendFile);
        append.set(SnapshotOffsets.OFFSETS, SnapshotOffsets.formatOffsets(merged));
        append.set(SnapshotOffsets.COMMIT, SnapshotOffsets.formatCommit(write.ranges()));
        append.set(SnapshotOffsets.MAX_EVENT_TIME, write.maxEventTime().toString());
        append.set(SnapshotOffsets.COMMIT_ID, commitId);
        append.commit();
        return find(table, commitId).map(TableCommitter::result)
                .orElseThrow(() -> new CommitStateUnknownException(new IllegalStateException("committed snapshot " + commitId + " not found in " + table.name())));
    }

    /**
     * The stale-worker guard: for every partition of the batch, the table's stored next offset
     * must be at most the smallest offset the batch writes. Otherwise someone committed those
     * records already and committing again would duplicate them.
     */
    public static void requireNotCovered(String tableName, Map<TopicPartition, Long> stored, Map<TopicPartition, OffsetRange> batch) {
        batch.forEach((tp, range) -> {
            Long next = stored.get(tp);
            if (next != null && next > range.firstOffset()) {
                throw new StaleBatchException(tableName + " already holds " + tp + " up to offset " + next
                        + ", but this batch starts at " + range.firstOffset() + ": another worker committed it");
            }
        });
    }

    private static Optional<Snapshot> find(Table table, String commitId) {
        Snapshot s = table.currentSnapshot();
        while (s != null) {
            if (commitId.equals(s.summary().get(SnapshotOffsets.COMMIT_ID))) {
                return Optional.of(s);
            }
            s = s.parentId() == null ? null : table.snapshot(s.parentId());
        }
        return Optional.empty();
    }

    private static TableCommitResult result(Snapshot s) {
        return new TableCommitResult(s.snapshotId(), Instant.ofEpochMilli(s.timestampMillis()));
    }
}
