package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One tenant's backlog does not delay another tenant's events. The direction, not a timed bound
 * (which would flake on a loaded machine): with a flooding neighbour's backlog of 40,000 records
 * waiting, a quiet tenant's event is in its table while the flood has drained at most a few
 * batches more. Without fair polling the consumer first hands out the megabytes it fetched of the
 * flood (1 MiB per partition, ~10,000 of these records) before the quiet tenant's one record.
 */
class FairShareIT {
    static final String GROUP = "fair-share-it-" + UUID.randomUUID();
    static final int BATCH = 500;
    static final int FLOOD = 40_000;
    static WorkerFixture fixture;
    static IngestWorker worker;

    @BeforeAll
    static void startWorker() {
        fixture = new WorkerFixture();
        worker = IngestWorker.start(fixture.config(GROUP, Map.of("PULSE_WORKER_MAX_BATCH_RECORDS", Integer.toString(BATCH))));
    }

    @AfterAll
    static void stopWorker() {
        worker.close();
        fixture.close();
    }

    @Test
    void aQuietTenantsEventLandsWhileTheFloodingTenantsBacklogIsStillDraining() throws Exception {
        TenantId flood = fixture.tenantWithDataset("clicks").id();
        TenantId quiet = fixture.tenantWithDataset("clicks").id();
        fixture.produce(flood, "clicks", "warm-up", "{\"url\": \"/w\"}");
        fixture.produce(quiet, "clicks", "warm-up", "{\"url\": \"/w\"}");
        fixture.awaitCaughtUp(GROUP, flood);
        fixture.awaitCaughtUp(GROUP, quiet);

        produceFlood(flood);
        long lagWhenSent = lag(flood);
        fixture.produce(quiet, "clicks", "quiet-1", "{\"url\": \"/quiet\"}");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> fixture.eventIds(quiet, "clicks").contains("quiet-1"));
        long lagWhenVisible = lag(flood);

        // Fair: the quiet event waits for the batch in flight and its own (flood ≤ 2 × 500 records
        // each); unfair: for the ~10,000 flood records the consumer had buffered first.
        assertThat(lagWhenSent).isGreaterThan(20_000);
        assertThat(lagWhenSent - lagWhenVisible).as("flood records committed while the quiet event waited").isLessThan(5_000);
        // The whole backlog, exactly once (a loaded 2-core machine may take minutes).
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> lag(flood) == 0);
        assertThat(fixture.eventIds(flood, "clicks")).hasSize(FLOOD + 1).doesNotHaveDuplicates();
        assertThat(worker.failure()).isEmpty();
    }

    /** 40,000 small records, sent as fast as the producer batches them. */
    private static void produceFlood(TenantId flood) {
        produceFlood(fixture, flood, FLOOD);
    }

    static void produceFlood(WorkerFixture fixture, TenantId flood, int count) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.stack.bootstrap());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String id = "f" + i;
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.raw(flood), id.getBytes(StandardCharsets.UTF_8),
                        WorkerFixture.envelope("clicks", id, "{\"url\": \"/flood/" + i + "\", \"n\": " + i + "}"));
                record.headers().add(Topics.TENANT_HEADER, flood.toString().getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** Records of the tenant's raw topic past the group's committed offsets. */
    private static long lag(TenantId tenant) throws Exception {
        return lag(fixture, GROUP, tenant);
    }

    static long lag(WorkerFixture fixture, String group, TenantId tenant) throws Exception {
        Map<TopicPartition, Long> end = fixture.endOffsets(Topics.raw(tenant));
        Map<TopicPartition, OffsetAndMetadata> committed = fixture.stack.kafkaAdmin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        return end.entrySet().stream()
                .mapToLong(e -> e.getValue() - (committed.get(e.getKey()) == null ? 0 : committed.get(e.getKey()).offset())).sum();
    }
}
