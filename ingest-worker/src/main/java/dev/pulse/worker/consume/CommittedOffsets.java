package dev.pulse.worker.consume;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** How the loop learns, on assignment, the group's committed offsets (with their metadata). */
@FunctionalInterface
public interface CommittedOffsets {
    /** The committed offset per partition; a partition without one is absent. */
    Map<TopicPartition, OffsetAndMetadata> read(Consumer<byte[], byte[]> consumer, Set<TopicPartition> partitions);
}
