package dev.pulse.worker.dlq;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.WorkerException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Moves a tenant's dead letters back to its raw topic, each exactly once: the raw records and the
 * replay group's DLQ offsets go in one Kafka transaction, so a replay that dies half-way resumes
 * where it stopped and never sends a record twice. A run replays what the DLQ held when it
 * started. The operator fixes the cause first (creates the dataset, registers the schema
 * version); a record that still fails comes back to the DLQ with {@code pulse-attempt} + 1 and
 * its first failure time kept.
 *
 * <p>{@code tenant-mismatch} records are never replayed: the DLQ record carries the topic's
 * tenant in its header, so replaying would launder a record that claimed another tenant.
 */
public final class DlqReplay {
    /** Header on a replayed raw record naming the DLQ record it came from: {@code <topic>/<partition>/<offset>}. */
    public static final String REPLAY_OF = "pulse-replay-of";
    private static final Set<String> ERROR_HEADERS = Set.of(DeadLetter.ERROR_CODE, DeadLetter.ERROR_MESSAGE, DeadLetter.ERROR_STAGE,
            DeadLetter.SOURCE_TOPIC, DeadLetter.SOURCE_PARTITION, DeadLetter.SOURCE_OFFSET, REPLAY_OF);
    private static final Duration RUN_LIMIT = Duration.ofMinutes(10);

    /** How many records went back to the raw topic, and how many were refused (tenant mismatches). */
    public record ReplayResult(int replayed, int refused) {
    }

    private DlqReplay() {
    }

    /** The consumer group whose committed offsets say how far the tenant's DLQ has been replayed. */
    public static String replayGroup(TenantId tenant) {
        return "pulse-dlq-replay." + tenant;
    }

    public static ReplayResult replay(WorkerConfig config, TenantId tenant) {
        String dlq = Topics.dlq(tenant);
        String raw = Topics.raw(tenant);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(config, tenant), new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(config, tenant), new ByteArraySerializer(), new ByteArraySerializer())) {
            // One replay per tenant at a time: a second run with the same transactional id fences the first.
            producer.initTransactions();
            List<TopicPartition> partitions = consumer.partitionsFor(dlq).stream().map(p -> new TopicPartition(dlq, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata at = committed.get(tp);
                if (at == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, at.offset());
                }
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // the last stable offsets, under read_committed
            Instant deadline = Instant.now().plus(RUN_LIMIT);
            int replayed = 0;
            int refused = 0;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new WorkerException("DLQ replay of tenant " + tenant + " did not reach the end within " + RUN_LIMIT
                            + "; what was replayed is committed, run it again to go on");
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                producer.beginTransaction();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= end.get(tp)) {
                        continue; // arrived after this run started: the next run's
                    }
                    offsets.put(tp, new OffsetAndMetadata(record.offset() + 1));
                    if (ErrorCode.TENANT_MISMATCH.wireName().equals(header(record, DeadLetter.ERROR_CODE))) {
                        refused++;
                        continue;
                    }
                    producer.send(new ProducerRecord<>(raw, null, record.key(), record.value(), replayHeaders(tenant, record)));
                    replayed++;
                }
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                // Records past the end were fetched but not handled: go back so the position is honest.
                offsets.forEach((tp, next) -> {
                    if (consumer.position(tp) > end.get(tp)) {
                        consumer.seek(tp, end.get(tp));
                    }
                });
            }
            return new ReplayResult(replayed, refused);
        }
    }

    /** The original headers and the failure history (attempt, first failure time); not the last failure's reason. */
    private static RecordHeaders replayHeaders(TenantId tenant, ConsumerRecord<byte[], byte[]> record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            if (!ERROR_HEADERS.contains(h.key()) && !h.key().equals(Topics.TENANT_HEADER)) {
                headers.add(h);
            }
        }
        headers.add(Topics.TENANT_HEADER, tenant.toString().getBytes(StandardCharsets.UTF_8));
        headers.add(REPLAY_OF, (record.topic() + "/" + record.partition() + "/" + record.offset()).getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Properties consumerProperties(WorkerConfig config, TenantId tenant) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.infrastructure().kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, replayGroup(tenant));
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxBatchRecords()));
        return p;
    }

    private static Properties producerProperties(WorkerConfig config, TenantId tenant) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.infrastructure().kafkaBootstrap());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, replayGroup(tenant));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // A dead letter carries the original record (up to the API's 1 MiB event limit plus its
        // envelope) and headers; tenant topics accept 4 MiB (Tenants), the client default is 1 MiB.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(config.transactionTimeoutMs()));
        return p;
    }
}
