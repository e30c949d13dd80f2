package dev.pulse.worker.consume;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the loop knows about each assigned partition between batches: its committed group offset
 * (every record below it is in a table or the DLQ), what that offset claims the tables hold
 * ({@link TableClaims}), and whether it is healing. {@link Repositioning} sets it on assignment,
 * {@link BatchPlanner} reads it, {@link KafkaCommit} advances it.
 */
final class PartitionProgress {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionProgress.class);

    /**
     * Per assigned partition, the committed group offset: every record below it is in a table or
     * in the DLQ already, because the group offset only moves in the transaction that follows the
     * table commits. Absent when the group has no offset for the partition.
     */
    private final Map<TopicPartition, Long> handledBelow = new HashMap<>();
    /** Per assigned partition, what its committed group offset claims the tables hold (table name → next offset). */
    private final Map<TopicPartition, Map<String, Long>> claims = new HashMap<>();
    /** Partitions being re-read below their group offset because a table lost a commit. */
    private final Map<TopicPartition, Healing> healing = new HashMap<>();

    /** The offset below which every record of the partition is handled; 0 without a group offset. */
    long handledBelow(TopicPartition tp) {
        return handledBelow.getOrDefault(tp, 0L);
    }

    /** The partition's healing, or null when it is not healing. */
    Healing healing(TopicPartition tp) {
        return healing.get(tp);
    }

    /** The partition resumes at (or, healing, below) its committed group offset, which claims {@code claimed}. */
    void resumed(TopicPartition tp, long groupOffset, Map<String, Long> claimed, Healing heal) {
        handledBelow.put(tp, groupOffset);
        claims.put(tp, claimed);
        if (heal == null) {
            healing.remove(tp);
        } else {
            healing.put(tp, heal);
        }
    }

    /** The partition has no group offset: it is read from the beginning, nothing below is known handled. */
    void resumedFromBeginning(TopicPartition tp) {
        forget(java.util.List.of(tp));
    }

    /** The partitions are no longer this worker's. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(handledBelow::remove);
        partitions.forEach(claims::remove);
        partitions.forEach(healing::remove);
    }

    /**
     * How far this worker knows {@code table} holds the partition: its claim (unless the table is
     * being healed: it holds less than its claim until the healing reaches it) or this batch's
     * commit, whichever is larger; 0 when it knows nothing.
     */
    long heldAtLeast(TopicPartition tp, String table, Map<TopicPartition, Map<String, Long>> batchClaims) {
        Healing heal = healing.get(tp);
        long confirmed = heal != null && heal.lost(table) ? 0L : claims.getOrDefault(tp, Map.of()).getOrDefault(table, 0L);
        return Math.max(confirmed, batchClaims.getOrDefault(tp, Map.of()).getOrDefault(table, 0L));
    }

    /**
     * The group offsets a batch commits: per partition, its position (never below the committed
     * group offset: while a partition heals, its group offset stays where it was, the records
     * below it were handled), with its claims carried forward and raised by the batch's table
     * commits ({@code batchClaims}: partition → table → next offset), in the offset's metadata.
     */
    OffsetCommit offsetsToCommit(Map<TopicPartition, Long> positions, Map<TopicPartition, Map<String, Long>> batchClaims) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, Map<String, Long>> newClaims = new HashMap<>();
        positions.forEach((tp, position) -> {
            Map<String, Long> merged = TableClaims.merge(claims.getOrDefault(tp, Map.of()), batchClaims.getOrDefault(tp, Map.of()));
            newClaims.put(tp, merged);
            long offset = Math.max(position, handledBelow.getOrDefault(tp, 0L));
            offsets.put(tp, new OffsetAndMetadata(offset, TableClaims.format(merged)));
        });
        return new OffsetCommit(offsets, newClaims, Map.copyOf(positions));
    }

    /** The offsets are committed: they are the new group offsets, and a healing that reached its end is over. */
    void committed(OffsetCommit commit) {
        commit.offsets().forEach((tp, o) -> handledBelow.put(tp, o.offset()));
        claims.putAll(commit.claims());
        commit.positions().forEach((tp, position) -> {
            Healing heal = healing.get(tp);
            if (heal != null && position >= heal.until()) {
                healing.remove(tp);
                LOG.warn("{}: re-landed what {} lacked; reading on from the group offset {}", tp, heal.lostTables(), heal.until());
            }
        });
    }

    /** Offsets (with their claims as metadata) ready for a Kafka transaction, and the positions they came from. */
    record OffsetCommit(Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, Map<String, Long>> claims,
            Map<TopicPartition, Long> positions) {
    }
}
