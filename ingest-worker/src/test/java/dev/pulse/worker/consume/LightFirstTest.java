package dev.pulse.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LightFirstTest {
    static TopicPartition partition(String tenant, int p) {
        return new TopicPartition("pulse." + tenant + ".events.raw", p);
    }

    static void add(Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records, TopicPartition tp, int count) {
        List<ConsumerRecord<byte[], byte[]>> list = records.computeIfAbsent(tp, k -> new ArrayList<>());
        for (int i = 0; i < count; i++) {
            list.add(new ConsumerRecord<>(tp.topic(), tp.partition(), list.size(), new byte[0], new byte[0]));
        }
    }

    @Test
    void aQuietTenantsRecordsFormABatchOfTheirOwnBeforeTheFloodsWithAllItsPartitionsTogether() {
        String flood = UUID.randomUUID().toString();
        String quiet = UUID.randomUUID().toString();
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();
        add(records, partition(flood, 0), 2000);
        add(records, partition(flood, 1), 2000);
        add(records, partition(quiet, 0), 1);
        add(records, partition(quiet, 1), 2);

        List<ConsumerRecords<byte[], byte[]>> batches = LightFirst.split(new ConsumerRecords<>(records, Map.of()));

        assertThat(batches).hasSize(2);
        assertThat(batches.get(0).partitions()).containsExactlyInAnyOrder(partition(quiet, 0), partition(quiet, 1));
        assertThat(batches.get(0).count()).isEqualTo(3);
        assertThat(batches.get(1).partitions()).containsExactlyInAnyOrder(partition(flood, 0), partition(flood, 1));
        assertThat(batches.get(1).count()).isEqualTo(4000);
    }

    @Test
    void tenantsOfSimilarSizeStayOneBatch() {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();
        for (int t = 0; t < 4; t++) {
            add(records, partition(UUID.randomUUID().toString(), 0), 500 + t);
        }
        ConsumerRecords<byte[], byte[]> poll = new ConsumerRecords<>(records, Map.of());
        assertThat(LightFirst.split(poll)).containsExactly(poll);
    }
}
