package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Splits one poll into the batches it is processed as: the light tenants' records first, then the
 * heavy tenants'. A tenant is heavy when it holds more than a tenth of the poll's records. So a
 * quiet tenant's few records are planned, committed and their offsets written in a batch of their
 * own, without waiting for a flooding tenant's thousands to be converted and written; each batch is
 * a whole batch of the protocol (its own tables, then its own Kafka transaction). A tenant's
 * partitions always go together. When every tenant is light, or every one heavy, the poll is one
 * batch.
 */
final class LightFirst {
    private LightFirst() {
    }

    static List<ConsumerRecords<byte[], byte[]>> split(ConsumerRecords<byte[], byte[]> records) {
        Map<String, Integer> perTenant = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            perTenant.merge(tenantOf(tp), records.records(tp).size(), Integer::sum);
        }
        int heavyAbove = records.count() / 10;
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> light = new HashMap<>();
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> heavy = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            (perTenant.get(tenantOf(tp)) > heavyAbove ? heavy : light).put(tp, records.records(tp));
        }
        if (light.isEmpty() || heavy.isEmpty()) {
            return List.of(records);
        }
        return List.of(part(light, records), part(heavy, records));
    }

    private static ConsumerRecords<byte[], byte[]> part(Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> partitions,
            ConsumerRecords<byte[], byte[]> all) {
        Map<TopicPartition, OffsetAndMetadata> nextOffsets = new HashMap<>(all.nextOffsets());
        nextOffsets.keySet().retainAll(partitions.keySet());
        return new ConsumerRecords<>(partitions, nextOffsets);
    }

    private static String tenantOf(TopicPartition tp) {
        return Topics.tenantOf(tp.topic()).map(Object::toString).orElse(tp.topic());
    }
}
