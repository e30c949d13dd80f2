package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The freshness watermark of each assigned partition, kept by the loop thread: an instant T such
 * that every record the partition received (Kafka acknowledged it) before T is in a table or the
 * DLQ. Between batches, every record below the consumer's position of a partition that is not
 * paused is committed (a batch is committed whole before the next poll, or its partitions stay
 * paused while it commits in the background; a held-back tenant's
 * partitions are sought back and paused; an aborted batch re-seeks), which gives two facts:
 *
 * <ul>
 *   <li><b>a poll returned records</b> for the partition: the records before the first of them
 *       are committed, and any record acknowledged before that record's timestamp (the producer
 *       stamps it when it sends, before the broker appends and acknowledges it) lies before it in
 *       the log. Watermark: the smallest timestamp among them minus 1 ms;</li>
 *   <li><b>caught up</b>: at most once per {@link #CHECK_INTERVAL}, the log end of every assigned
 *       partition that is not paused is read (the high watermark, read_uncommitted: records behind
 *       an open DLQ-replay transaction count as not read) at a time F taken before asking; a
 *       partition whose position reached it has committed everything acknowledged before F.
 *       Watermark: F.</li>
 * </ul>
 *
 * A paused tenant (its table failing) gets neither, so its watermark stays before its first
 * uncommitted record. Each partition's value only rises; {@link WatermarkWriter} persists them.
 */
final class Freshness {
    private static final Logger LOG = LoggerFactory.getLogger(Freshness.class);
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

    private final Consumer<byte[], byte[]> consumer;
    private final LogEnds logEnds;
    /** Read by the writer thread. */
    private final Map<TopicPartition, PartitionWatermark> watermarks = new ConcurrentHashMap<>();
    private Instant lastCheck = Instant.EPOCH;

    Freshness(Consumer<byte[], byte[]> consumer, LogEnds logEnds) {
        this.consumer = consumer;
        this.logEnds = logEnds;
    }

    /** A poll returned {@code records}; called before they are processed. */
    void polled(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            if (Topics.tenantOf(tp.topic()).isEmpty()) {
                continue;
            }
            long smallest = records.records(tp).stream().mapToLong(ConsumerRecord::timestamp).filter(t -> t >= 0).min().orElse(-1);
            if (smallest > 0) {
                raise(tp, Instant.ofEpochMilli(smallest - 1));
            }
        }
    }

    /** Between batches (after a batch's commit, or an empty poll): the caught-up check, once per interval. */
    void betweenBatches(Instant now) {
        if (now.isBefore(lastCheck.plus(CHECK_INTERVAL))) {
            return;
        }
        lastCheck = now;
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> candidates = consumer.assignment().stream()
                .filter(tp -> !paused.contains(tp) && Topics.tenantOf(tp.topic()).isPresent()).toList();
        if (candidates.isEmpty()) {
            return;
        }
        Instant asked = Instant.now();
        Map<TopicPartition, Long> ends = logEnds.read(candidates);
        for (TopicPartition tp : candidates) {
            Long end = ends.get(tp);
            if (end == null) {
                continue;
            }
            try {
                if (consumer.position(tp, CLIENT_TIMEOUT) >= end) {
                    raise(tp, asked);
                }
            } catch (KafkaException e) {
                LOG.debug("{}: no position for the freshness check: {}", tp, e.toString());
            }
        }
    }

    /** The partitions are no longer this worker's: their watermarks are its successor's to move. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(watermarks::remove);
    }

    /** Per tenant, the watermarks of its partitions this worker holds (callable from any thread). */
    Map<TenantId, List<PartitionWatermark>> byTenant() {
        Map<TenantId, List<PartitionWatermark>> out = new HashMap<>();
        watermarks.values().forEach(w -> out.computeIfAbsent(Topics.tenantOf(w.partition().topic()).orElseThrow(), t -> new java.util.ArrayList<>()).add(w));
        return out;
    }

    private void raise(TopicPartition tp, Instant completeThrough) {
        PartitionWatermark current = watermarks.get(tp);
        if (current != null && !completeThrough.isAfter(current.completeThrough())) {
            return;
        }
        int count = current != null ? current.partitionCount() : 0;
        if (count == 0 || current.partition().partition() >= count) {
            count = partitionCount(tp).orElse(0);
        }
        if (count > 0) {
            watermarks.put(tp, new PartitionWatermark(tp, count, completeThrough));
        }
    }

    /** The topic's partition count, from the consumer's metadata (its own subscription keeps it). */
    private Optional<Integer> partitionCount(TopicPartition tp) {
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(tp.topic(), CLIENT_TIMEOUT);
            return infos == null || infos.isEmpty() ? Optional.empty() : Optional.of(infos.size());
        } catch (KafkaException e) {
            LOG.debug("{}: no partition count for the freshness watermark: {}", tp, e.toString());
            return Optional.empty();
        }
    }

    /** One partition's watermark, with the topic's partition count as this worker saw it. */
    record PartitionWatermark(TopicPartition partition, int partitionCount, Instant completeThrough) {
    }
}
