package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One batch's poll, fair between tenants. A consumer hands out what it fetched in the order the
 * fetches arrived, so a flooding tenant's megabytes of buffered records come out poll after poll
 * (each partition's fetch holds up to 1 MiB) before a quiet tenant's one record fetched behind
 * them: the quiet tenant waited for many of the flood's batches. Here, when a poll comes back
 * full ({@code maxPollRecords}), every partition of each tenant it returned records for is paused
 * and the consumer is asked again with {@code poll(0)}, which hands out what the other partitions
 * have buffered or have just been answered (a paused partition's buffered records stay in the
 * consumer, they are not dropped); and again while such a poll returns records, up to
 * {@link #MAX_POLLS} polls. Then the partitions paused here are resumed. So a batch holds every
 * tenant that had records waiting, at most {@code maxPollRecords} records more per tenant than
 * one poll gives, at most {@link #MAX_POLLS} × {@code maxPollRecords} in all, and one tenant's
 * backlog costs another at most the batch in flight. Partitions paused before (a failing
 * tenant's) stay paused.
 *
 * <p>A rebalance may complete inside one of the extra polls (the group generation moves): then
 * the batch is given back whole, every partition still assigned sought back to its first returned
 * record, and the next poll starts afresh, so no batch mixes records from before and after a
 * rebalance.
 */
final class FairPoll {
    /** Polls in one batch at most: the first and three more, i.e. up to three flooding tenants set aside before the others. */
    static final int MAX_POLLS = 4;

    private final Consumer<byte[], byte[]> consumer;
    private final int maxPollRecords;

    FairPoll(Consumer<byte[], byte[]> consumer, int maxPollRecords) {
        this.consumer = consumer;
        this.maxPollRecords = maxPollRecords;
    }

    ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> first = consumer.poll(timeout);
        if (first.count() < maxPollRecords) {
            return first; // the consumer handed out everything it had buffered
        }
        int generation = consumer.groupMetadata().generationId();
        List<ConsumerRecords<byte[], byte[]>> polls = new ArrayList<>(List.of(first));
        Set<TopicPartition> pausedHere = new HashSet<>();
        try {
            ConsumerRecords<byte[], byte[]> last = first;
            while (!last.isEmpty() && polls.size() < MAX_POLLS) {
                pauseTenantsOf(last, pausedHere);
                last = consumer.poll(Duration.ZERO);
                if (!last.isEmpty()) {
                    polls.add(last);
                }
            }
        } finally {
            pausedHere.retainAll(consumer.assignment());
            consumer.resume(pausedHere);
        }
        if (consumer.groupMetadata().generationId() != generation) {
            giveBack(polls);
            return ConsumerRecords.empty();
        }
        return polls.size() == 1 ? first : merge(polls);
    }

    /** Pauses every assigned partition of each tenant with records in {@code records}, unless already paused. */
    private void pauseTenantsOf(ConsumerRecords<byte[], byte[]> records, Set<TopicPartition> pausedHere) {
        Set<String> tenantsServed = new HashSet<>();
        for (TopicPartition tp : records.partitions()) {
            tenantsServed.add(Topics.tenantOf(tp.topic()).map(Object::toString).orElse(tp.topic()));
        }
        Set<TopicPartition> alreadyPaused = consumer.paused();
        Set<TopicPartition> toPause = new HashSet<>();
        for (TopicPartition tp : consumer.assignment()) {
            String tenant = Topics.tenantOf(tp.topic()).map(Object::toString).orElse(tp.topic());
            if (tenantsServed.contains(tenant) && !alreadyPaused.contains(tp)) {
                toPause.add(tp);
            }
        }
        consumer.pause(toPause);
        pausedHere.addAll(toPause);
    }

    private void giveBack(List<ConsumerRecords<byte[], byte[]>> polls) {
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        for (ConsumerRecords<byte[], byte[]> records : polls) {
            for (TopicPartition tp : records.partitions()) {
                firstOffsets.merge(tp, records.records(tp).getFirst().offset(), Math::min);
            }
        }
        Set<TopicPartition> assigned = consumer.assignment();
        firstOffsets.forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }

    private static ConsumerRecords<byte[], byte[]> merge(List<ConsumerRecords<byte[], byte[]>> polls) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> merged = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> nextOffsets = new HashMap<>();
        for (ConsumerRecords<byte[], byte[]> part : polls) {
            for (TopicPartition tp : part.partitions()) {
                merged.computeIfAbsent(tp, k -> new ArrayList<>()).addAll(part.records(tp));
            }
            nextOffsets.putAll(part.nextOffsets());
        }
        return new ConsumerRecords<>(merged, nextOffsets);
    }
}
