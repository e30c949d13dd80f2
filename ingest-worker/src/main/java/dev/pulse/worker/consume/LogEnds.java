package dev.pulse.worker.consume;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The log end offsets of partitions as the broker has them now: high watermarks, read
 * uncommitted, so a record behind an open transaction counts as not read yet ({@link Freshness}).
 * A partition it could not read is left out.
 */
@FunctionalInterface
public interface LogEnds {
    Map<TopicPartition, Long> read(Collection<TopicPartition> partitions);
}
