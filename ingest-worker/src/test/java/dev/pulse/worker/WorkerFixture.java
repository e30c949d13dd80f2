package dev.pulse.worker;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the worker's integration tests share: a tenant with a dataset, producing as ingest-api does, reading everything back. */
final class WorkerFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SCHEMA = """
            {"type": "object", "properties": {
               "url": {"type": "string"}, "n": {"type": "integer"}},
             "required": ["url"]}""";
    static final Instant EVENT_TIME = Instant.parse("2026-03-01T10:15:30Z");

    final TestStack stack;
    private final KafkaProducer<byte[], byte[]> producer;

    WorkerFixture() {
        this(TestStack.shared());
    }

    WorkerFixture(TestStack stack) {
        this.stack = stack;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A fresh tenant with schema "clicks" and dataset {@code slug}, day-partitioned. */
    TenantRecord tenantWithDataset(String slug) {
        TenantRecord tenant = stack.newTenant();
        createDataset(tenant.id(), slug);
        return tenant;
    }

    void createDataset(TenantId tenant, String slug) {
        stack.schemas().register(tenant, "clicks", json(SCHEMA));
        stack.datasets().create(tenant, slug, "clicks", null, IcebergSchemas.Partitioning.DAY);
    }

    WorkerConfig config(String group) {
        return WorkerConfig.from(stack.settings(Map.of("PULSE_WORKER_GROUP", group, "PULSE_WORKER_COMMIT_INTERVAL_MS", "200")));
    }

    /** {@code extra}: further worker settings, e.g. a short tenant backoff. */
    WorkerConfig config(String group, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("PULSE_WORKER_GROUP", group, "PULSE_WORKER_COMMIT_INTERVAL_MS", "200"));
        settings.putAll(extra);
        return WorkerConfig.from(stack.settings(settings));
    }

    WorkerConfig config(String group, String instanceId) {
        return WorkerConfig.from(stack.settings(Map.of("PULSE_WORKER_GROUP", group, "PULSE_WORKER_INSTANCE_ID", instanceId,
                "PULSE_WORKER_COMMIT_INTERVAL_MS", "200")));
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] envelope(String dataset, String eventId, String data) {
        return new EventEnvelope(dataset, eventId, EVENT_TIME, EVENT_TIME.plusSeconds(1), json(data)).toBytes();
    }

    /** Produces as ingest-api does: key = event id, value = envelope, tenant header = the topic's tenant. */
    RecordMetadata produce(TenantId tenant, String dataset, String eventId, String data) {
        return produceRaw(Topics.raw(tenant), tenant.toString(), eventId, envelope(dataset, eventId, data));
    }

    /** Any topic, any header (null for none), any value: for the records ingest-api would never write. */
    RecordMetadata produceRaw(String topic, String tenantHeader, String key, byte[] value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
        if (tenantHeader != null) {
            record.headers().add(Topics.TENANT_HEADER, tenantHeader.getBytes(StandardCharsets.UTF_8));
        }
        try {
            return producer.send(record).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("produce failed", e);
        }
    }

    /** As {@link #produceRaw}, to one partition. */
    RecordMetadata produceTo(String topic, int partition, String tenantHeader, String key, byte[] value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), value);
        record.headers().add(Topics.TENANT_HEADER, tenantHeader.getBytes(StandardCharsets.UTF_8));
        try {
            return producer.send(record).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("produce failed", e);
        }
    }

    Table table(TenantId tenant, String slug) {
        return stack.catalog().loadTable(LakeNames.table(tenant, slug));
    }

    List<Record> rows(TenantId tenant, String slug) {
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table(tenant, slug)).build()) {
            List<Record> out = new ArrayList<>();
            rows.forEach(r -> out.add(r.copy()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> eventIds(TenantId tenant, String slug) {
        return rows(tenant, slug).stream().map(r -> (String) r.getField("event_id")).sorted().toList();
    }

    /** Every committed record of the tenant's DLQ, read to its end with read_committed. */
    List<ConsumerRecord<byte[], byte[]>> deadLetters(TenantId tenant) {
        return committedRecords(Topics.dlq(tenant));
    }

    /** Every committed record of {@code topic}, read to its end with read_committed. */
    List<ConsumerRecord<byte[], byte[]>> committedRecords(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
            return out;
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        var h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String key(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    /** Waits until the group's committed offsets reach the end of the tenant's raw topic. */
    void awaitCaughtUp(String group, TenantId tenant) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<TopicPartition, Long> end = endOffsets(Topics.raw(tenant));
            Map<TopicPartition, OffsetAndMetadata> committed = stack.kafkaAdmin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            return end.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
        });
    }

    Map<TopicPartition, Long> endOffsets(String topic) throws ExecutionException, InterruptedException {
        int partitions = stack.kafkaAdmin().describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            request.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        ListOffsetsResult result = stack.kafkaAdmin().listOffsets(request);
        return result.all().get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    DatasetRecord dataset(TenantId tenant, String slug) {
        return stack.datasets().find(tenant, slug).orElseThrow();
    }

    /** (snapshot id, partition, first, next, count) of every ledger row, under RLS for the tenant. */
    List<List<Long>> ledger(TenantId tenant, String slug) {
        return stack.db().inTenant(tenant, tx -> tx.query("""
                SELECT snapshot_id, kafka_partition, first_offset, next_offset, record_count FROM pulse.ingest_commits
                 WHERE dataset_slug = ? ORDER BY snapshot_id, kafka_partition""",
                rs -> List.of(rs.getLong(1), (long) rs.getInt(2), rs.getLong(3), rs.getLong(4), (long) rs.getInt(5)), slug));
    }

    void close() {
        producer.close();
    }
}
