package dev.pulse.worker;

import dev.pulse.worker.consume.CommittedOffsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group's committed offsets, as the consumer reads them (read_committed asks the broker for
 * <em>stable</em> offsets: it answers only once no transaction that wrote offsets for the
 * partition is still open). A transaction whose commit the broker never finishes for the offsets
 * topic would block that answer forever, and with it every assignment: seen after a SIGKILL
 * during a commit, as an endless {@code TimeoutException ... last committed offset ... could not
 * be determined}. So the wait is bounded, and then the worker reads the last <em>completed</em>
 * offsets instead. That is safe: the hanging transaction's tables hold its rows (they are skipped
 * record by record), its dead letters may be sent once more, and this worker's next transaction
 * (same producer id) completes the hanging offsets as it commits its own.
 */
final class GroupOffsets implements CommittedOffsets {
    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsets.class);

    private final Admin admin;
    private final String group;
    private final Duration stableWait;

    GroupOffsets(Admin admin, String group, Duration stableWait) {
        this.admin = admin;
        this.group = group;
        this.stableWait = stableWait;
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> read(Consumer<byte[], byte[]> consumer, Set<TopicPartition> partitions) {
        try {
            return consumer.committed(partitions, stableWait);
        } catch (TimeoutException e) {
            LOG.error("the committed offsets of group {} for {} stayed unstable for {} s: a transaction that wrote them never completed "
                    + "on the broker; resuming from the last completed offsets instead (rows are skipped per table, dead letters of that "
                    + "transaction may be sent once more). `pulse doctor` reports it; `kafka-transactions.sh find-hanging` names the transaction",
                    group, partitions, stableWait.toSeconds());
            return lastCompleted(partitions);
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> lastCompleted(Set<TopicPartition> partitions) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                            Map.of(group, new ListConsumerGroupOffsetsSpec().topicPartitions(List.copyOf(partitions))),
                            new ListConsumerGroupOffsetsOptions().requireStable(false))
                    .partitionsToOffsetAndMetadata(group).get(stableWait.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetAndMetadata> present = new HashMap<>();
            offsets.forEach((tp, o) -> {
                if (o != null) {
                    present.put(tp, o);
                }
            });
            return present;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new WorkerException("cannot read the committed offsets of group " + group + " for " + partitions, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerException("interrupted while reading the committed offsets of group " + group, e);
        }
    }
}
