package dev.pulse.worker.lake;

import dev.pulse.worker.RetryPolicy;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotAncestryValidator;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One append per table per batch, guarded: right before every attempt the table is refreshed and
 * its stored offsets must not already cover any record of the batch. The append then lands only on
 * the snapshot the guard and its offsets map were computed from ({@link OnTopOf}): any commit in
 * between (several workers write one table, one partition each) makes the attempt start over from
 * a fresh refresh. Dataset tables are also created with {@code commit.retry.num-retries=0}, so a
 * commit racing the catalog swap surfaces here as {@link CommitFailedException} too, instead of
 * Iceberg re-applying the append, with its summary unchanged, on top of the racing commit.
 */
public final class TableCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(TableCommitter.class);

    private TableCommitter() {
    }

    /**
     * Appends the write's files with the offsets they cover, retried while a racing commit fails
     * ours. The table must not already hold any record of the batch (the stale-worker guard), and
     * must still hold each partition at least up to {@code heldAtLeast} (what this worker saw it
     * commit; empty when it saw nothing): a table that holds less lost a commit (its catalog went
     * back), and appending after the gap would hide the loss for good. Refused like a stale batch,
     * so the worker re-positions and heals.
     */
    public static TableCommitResult commit(Table table, TableWriteResult write, Map<TopicPartition, Long> heldAtLeast, RetryPolicy retry) {
        String commitId = UUID.randomUUID().toString();
        AtomicReference<Optional<Long>> before = new AtomicReference<>();
        return retry.call("commit to " + table.name(), () -> attempt(table, write, heldAtLeast, commitId, before),
                e -> e instanceof CommitFailedException || e instanceof CommitStateUnknownException);
    }

    /** {@code before}: the table's current snapshot id when the first attempt began (set by it). */
    private static TableCommitResult attempt(Table table, TableWriteResult write, Map<TopicPartition, Long> heldAtLeast, String commitId,
            AtomicReference<Optional<Long>> before) {
        table.refresh();
        if (before.get() == null) {
            before.set(Optional.ofNullable(table.currentSnapshot()).map(Snapshot::snapshotId));
        } else {
            // An earlier attempt whose outcome was unknown may have landed after all: it is newer than `before`.
            Optional<Snapshot> landed = find(table, commitId, before.get());
            if (landed.isPresent()) {
                return result(landed.get());
            }
        }
        // The snapshot the guard and the offsets map below are computed from: the append must land right on top of it.
        Optional<Long> base = Optional.ofNullable(table.currentSnapshot()).map(Snapshot::snapshotId);
        Map<TopicPartition, Long> stored = repaired(table, SnapshotOffsets.stored(table), heldAtLeast);
        requireNotCovered(table.name(), stored, write.ranges());
        requireNoGap(table.name(), stored, heldAtLeast);
        Map<TopicPartition, Long> merged = new HashMap<>(stored);
        write.ranges().forEach((tp, range) -> merged.put(tp, range.nextOffset()));
        // Manifest work on this thread: Iceberg's shared pool would make it poll for the work every 10 ms.
        AppendFiles append = table.newAppend().scanManifestsWith(CallingThreadExecutor.INSTANCE)
                .writeManifestsWith(CallingThreadExecutor.INSTANCE, 1);
        write.files().forEach(append::appendFile);
        append.set(SnapshotOffsets.OFFSETS, SnapshotOffsets.formatOffsets(merged));
        append.set(SnapshotOffsets.COMMIT, SnapshotOffsets.formatCommit(write.ranges()));
        append.set(SnapshotOffsets.MAX_EVENT_TIME, write.maxEventTime().toString());
        append.set(SnapshotOffsets.COMMIT_ID, commitId);
        OnTopOf onTopOf = new OnTopOf(base);
        append.validateWith(onTopOf);
        try {
            append.commit();
        } catch (ValidationException e) {
            if (onTopOf.refused) {
                throw new CommitFailedException(e, "%s moved on after the guard checked it: committing again on top", table.name());
            }
            throw e;
        }
        return find(table, commitId, before.get()).map(TableCommitter::result)
                .orElseThrow(() -> new CommitStateUnknownException(new IllegalStateException("committed snapshot " + commitId + " not found in " + table.name())));
    }

    /**
     * Lets the append land only on top of {@code base}, the snapshot its offsets map and guard were
     * computed from. Iceberg refreshes the table once more when it applies an append (even on its
     * first attempt, with retries off) and lands it on whatever is current then: a commit by a
     * worker writing another partition of the same table, landing in between, would have its
     * partitions' offsets overwritten by this map's older values. The newest map would then say
     * the table holds less than it does, and the next check of a group offset's claims would take
     * the rows for lost and land them again. Refused here, the attempt is retried from a fresh
     * refresh, so the map is computed again from the snapshot it lands on.
     */
    private static final class OnTopOf implements SnapshotAncestryValidator {
        private final Optional<Long> base;
        private volatile boolean refused;

        OnTopOf(Optional<Long> base) {
            this.base = base;
        }

        /** {@code ancestry}: the snapshot the append would land on, then its ancestors; empty on an empty table. */
        @Override
        public boolean validate(Iterable<Snapshot> ancestry) {
            Iterator<Snapshot> it = ancestry.iterator();
            Optional<Long> parent = it.hasNext() ? Optional.of(it.next().snapshotId()) : Optional.empty();
            refused = !parent.equals(base);
            return !refused;
        }

        @Override
        public String errorMessage() {
            return "the offsets map was computed on snapshot " + base.map(String::valueOf).orElse("(none)")
                    + ", but another commit landed on the table since";
        }
    }

    /**
     * {@code stored}, with each partition this worker knows the table holds further raised to
     * what the table's own commits say ({@link SnapshotOffsets#heldThrough}): a map taken back by
     * the race {@link OnTopOf} now refuses, left in a table by an older worker. This commit's map
     * then holds the right offset again.
     */
    private static Map<TopicPartition, Long> repaired(Table table, Map<TopicPartition, Long> stored, Map<TopicPartition, Long> heldAtLeast) {
        Map<TopicPartition, Long> out = new HashMap<>(stored);
        heldAtLeast.forEach((tp, expected) -> {
            long held = SnapshotOffsets.heldThrough(table, stored, tp, expected);
            if (held > stored.getOrDefault(tp, 0L)) {
                LOG.warn("{}: its offsets map holds {} only up to {}, but its commit up to {} is in the table (a map an older worker's "
                        + "racing append took back): counting {}", table.name(), tp, stored.getOrDefault(tp, 0L), held, held);
                out.put(tp, held);
            }
        });
        return out;
    }

    /**
     * The stale-worker guard: for every partition of the batch, the table's stored next offset
     * must be at most the smallest offset the batch writes. Otherwise someone committed those
     * records already and committing again would duplicate them.
     */
    private static void requireNotCovered(String tableName, Map<TopicPartition, Long> stored, Map<TopicPartition, OffsetRange> batch) {
        batch.forEach((tp, range) -> {
            Long next = stored.get(tp);
            if (next != null && next > range.firstOffset()) {
                throw new StaleBatchException(tableName + " already holds " + tp + " up to offset " + next
                        + ", but this batch starts at " + range.firstOffset() + ": another worker committed it");
            }
        });
    }

    private static void requireNoGap(String tableName, Map<TopicPartition, Long> stored, Map<TopicPartition, Long> heldAtLeast) {
        heldAtLeast.forEach((tp, expected) -> {
            long next = stored.getOrDefault(tp, 0L);
            if (next < expected) {
                throw new StaleBatchException(tableName + " holds " + tp + " only up to offset " + next + ", but this worker saw it hold up to "
                        + expected + ": a table commit vanished");
            }
        });
    }

    /**
     * The snapshot of this commit, looked for from the current snapshot back to {@code before}
     * (exclusive): a commit lands after the snapshot its first attempt saw, so the walk is as long
     * as the commits since then, not the table's history.
     */
    private static Optional<Snapshot> find(Table table, String commitId, Optional<Long> before) {
        Snapshot s = table.currentSnapshot();
        while (s != null && !before.equals(Optional.of(s.snapshotId()))) {
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
