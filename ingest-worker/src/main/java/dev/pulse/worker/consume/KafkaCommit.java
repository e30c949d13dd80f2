package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.usage.UsageMetric;
import dev.pulse.schemas.usage.UsageRecord;
import dev.pulse.worker.WorkerException;
import dev.pulse.worker.dlq.DeadLetter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last part of a batch's commit step: its DLQ records and group offsets in one Kafka
 * transaction, after the tables. The group offset then says exactly what the DLQ holds, and EOS
 * v2 ({@code sendOffsetsToTransaction} with the consumer's group metadata) fences a worker whose
 * group generation is stale.
 */
final class KafkaCommit {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCommit.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final PartitionProgress progress;
    private final CrashPoints crashPoints;
    private final LandedUsage landed;

    KafkaCommit(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, PartitionProgress progress, CrashPoints crashPoints) {
        this(consumer, producer, progress, crashPoints, new LandedUsage());
    }

    KafkaCommit(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, PartitionProgress progress, CrashPoints crashPoints,
            LandedUsage landed) {
        this.consumer = consumer;
        this.producer = producer;
        this.progress = progress;
        this.crashPoints = crashPoints;
        this.landed = landed;
    }

    /**
     * Sends {@code deadLetters} and moves the group offsets of {@code positions}, each carrying
     * its table claims raised by {@code batchClaims}. False when the transaction was aborted (the
     * tables are safe: they hold their offsets; the caller re-seeks); throws when it cannot go on.
     * The same transaction carries the usage records of the batch: its dead letters counted per
     * tenant and error code, and the rows landed by table commits not yet counted ({@link LandedUsage}).
     */
    boolean commit(List<DeadLetter> deadLetters, Map<TopicPartition, Long> positions, Map<TopicPartition, Map<String, Long>> batchClaims) {
        if (positions.isEmpty()) {
            return true;
        }
        PartitionProgress.OffsetCommit offsets = progress.offsetsToCommit(positions, batchClaims);
        Instant now = Instant.now();
        List<UsageRecord> landedRows = landed.pending();
        try {
            producer.beginTransaction();
            for (DeadLetter deadLetter : deadLetters) {
                producer.send(deadLetter.toProducerRecord(now));
            }
            for (UsageRecord usage : usageOf(deadLetters, now)) {
                producer.send(usage.toProducerRecord());
            }
            for (UsageRecord usage : landedRows) {
                producer.send(usage.toProducerRecord());
            }
            producer.sendOffsetsToTransaction(offsets.offsets(), consumer.groupMetadata());
            crashPoints.reached(CrashPoint.BEFORE_KAFKA_COMMIT, offsets.offsets().keySet().stream()
                    .map(tp -> Topics.tenantOf(tp.topic()).orElseThrow()).collect(Collectors.toSet()));
            producer.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
            throw new WorkerException("the DLQ and offset transaction cannot go on (another worker with transactional id of this one, or no rights)", e);
        } catch (KafkaException e) {
            // Typically a stale group generation after a rebalance: the tables are safe (they hold
            // their offsets), so abort and let the new assignment decide where to resume.
            LOG.warn("aborting the DLQ and offset transaction: {}", e.toString());
            producer.abortTransaction();
            return false;
        }
        progress.committed(offsets);
        landed.sent(landedRows);
        if (!deadLetters.isEmpty()) {
            LOG.info("sent {} records to dead-letter topics", deadLetters.size());
        }
        return true;
    }

    /** "Events dead-lettered": one usage record per tenant and error code of the batch. */
    private static List<UsageRecord> usageOf(List<DeadLetter> deadLetters, Instant now) {
        Map<TenantId, Map<String, Long>> counts = new HashMap<>();
        for (DeadLetter d : deadLetters) {
            counts.computeIfAbsent(d.tenant(), t -> new TreeMap<>()).merge(d.code().wireName(), 1L, Long::sum);
        }
        List<UsageRecord> usage = new ArrayList<>();
        counts.forEach((tenant, byCode) -> byCode.forEach((code, count) ->
                usage.add(UsageRecord.of(tenant, now, UsageMetric.EVENTS_DEAD_LETTERED, code, count))));
        return usage;
    }
}
