package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A transaction that wrote offsets for the worker's group and never ends (as after a kill the
 * broker never finished) keeps read_committed consumers from reading stable offsets. The worker
 * must not fail every assignment on it: it waits a bounded time, resumes from the last completed
 * offsets and lands new events.
 */
class HungTransactionIT {
    static WorkerFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = new WorkerFixture();
    }

    @AfterAll
    static void tearDown() {
        fixture.close();
    }

    @Test
    void offsetsHeldByATransactionThatNeverEndsDoNotStopTheWorker() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "hung-" + UUID.randomUUID();
        fixture.produce(tenant, "events", "before", "{\"url\": \"/1\"}");
        try (IngestWorker first = IngestWorker.start(fixture.config(group))) {
            fixture.awaitCaughtUp(group, tenant);
        }

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.stack.bootstrap());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "hung-" + UUID.randomUUID());
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "300000");
        try (KafkaProducer<byte[], byte[]> hung = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            hung.initTransactions();
            hung.beginTransaction();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            fixture.endOffsets(Topics.raw(tenant)).keySet().forEach(tp -> offsets.put(tp, new OffsetAndMetadata(0)));
            hung.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(group));
            hung.flush();

            fixture.produce(tenant, "events", "after", "{\"url\": \"/2\"}");
            try (IngestWorker second = IngestWorker.start(fixture.config(group))) {
                await().atMost(Duration.ofSeconds(90)).until(() -> fixture.eventIds(tenant, "events").contains("after"));
                assertThat(second.failure()).isEmpty();
                assertThat(second.isRunning()).isTrue();
            }
            hung.close(Duration.ZERO);
        }
        assertThat(fixture.eventIds(tenant, "events")).containsExactly("after", "before");
    }
}
