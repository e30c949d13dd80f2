package dev.pulse.worker.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.deadletters.DeadLetterRow;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds every tenant's committed DLQ records into {@code pulse.dead_letters}: one row per original
 * event (the {@link DlqReplay#DEAD_LETTER_ID} header of a replayed record names it, else the
 * record's source partition and offset), in its latest state.
 *
 * <p><b>Exactly what the topic says.</b> It reads the DLQ topics {@code read_committed}, so a
 * worker that died before its Kafka transaction committed contributed nothing; and it writes a
 * tenant's rows of a poll and its next DLQ offset per partition ({@code pulse.dead_letter_offsets})
 * in one transaction bound to the tenant. It resumes at those offsets, never at the consumer
 * group's (which it does not commit), so a crash anywhere leaves rows and offsets together. The
 * offset moves by compare-and-set from the value it read: an indexer that lost its partition in a
 * rebalance and still finishes a poll rolls back instead of folding twice (folding is idempotent
 * anyway: a repeat of an attempt already folded changes nothing).
 */
public final class DeadLetterIndexer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterIndexer.class);
    private static final Pattern DLQ_TOPICS = Pattern.compile("pulse\\.[^.]+\\.events\\.dlq");
    private static final Pattern VIOLATIONS = Pattern.compile("version [0-9]+: (.*)$", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers that describe the failure, not the event: not carried on a replay. */
    private static final Set<String> FAILURE_HEADERS = Set.of(Topics.TENANT_HEADER, DeadLetter.ERROR_CODE, DeadLetter.ERROR_MESSAGE,
            DeadLetter.ERROR_STAGE, DeadLetter.SOURCE_TOPIC, DeadLetter.SOURCE_PARTITION, DeadLetter.SOURCE_OFFSET, DeadLetter.ATTEMPT,
            DeadLetter.FIRST_FAILURE_AT, DeadLetter.VALUE_OMITTED, DlqReplay.REPLAY_OF, DlqReplay.DEAD_LETTER_ID, DlqReplay.REPLAY_RUN);

    private final TenantDatabase db;
    private final Consumer<byte[], byte[]> consumer;
    private final int parkAfter;
    private final BooleanSupplier workerAlive;
    private final Thread thread;
    private volatile boolean stopping;

    private DeadLetterIndexer(TenantDatabase db, Consumer<byte[], byte[]> consumer, int parkAfter, BooleanSupplier workerAlive) {
        this.db = db;
        this.consumer = consumer;
        this.parkAfter = parkAfter;
        this.workerAlive = workerAlive;
        this.thread = Thread.ofPlatform().name("pulse-dlq-indexer").daemon().unstarted(this::run);
    }

    /**
     * Starts indexing on its own thread, in consumer group {@code group}. It stops by itself once
     * {@code workerAlive} turns false: a worker whose loop died (a killed process) indexes no more.
     */
    public static DeadLetterIndexer start(TenantDatabase db, String bootstrap, String group, int parkAfter, BooleanSupplier workerAlive) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
        DeadLetterIndexer indexer = new DeadLetterIndexer(db, new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                parkAfter, workerAlive);
        indexer.thread.start();
        return indexer;
    }

    private void run() {
        try {
            consumer.subscribe(DLQ_TOPICS, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    seekToIndexed(partitions);
                }
            });
            long backoffMs = 0;
            boolean reseek = false;
            while (!stopping && workerAlive.getAsBoolean()) {
                try {
                    if (reseek) {
                        // Never poll past what is stored: the positions must come back to the stored offsets first.
                        seekToIndexed(consumer.assignment());
                        reseek = false;
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                    if (!records.isEmpty()) {
                        index(records);
                    }
                    backoffMs = 0;
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // PostgreSQL or the broker is away: nothing was folded that is not stored with its
                    // offset, so go back to the stored offsets and try again, more slowly each time.
                    backoffMs = Math.min(30_000, Math.max(1000, backoffMs * 2));
                    LOG.warn("the DLQ indexer failed; retrying in {} ms: {}", backoffMs, e.toString());
                    sleep(backoffMs);
                    reseek = true;
                }
            }
        } catch (WakeupException e) {
            // close()
        } finally {
            consumer.close();
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    /** Each assigned partition resumes at the offset stored with its rows (the beginning if none). */
    private void seekToIndexed(Collection<TopicPartition> partitions) {
        Map<TenantId, List<TopicPartition>> byTenant = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Topics.tenantOf(tp.topic()).ifPresent(t -> byTenant.computeIfAbsent(t, k -> new ArrayList<>()).add(tp));
        }
        byTenant.forEach((tenant, tps) -> {
            Map<Integer, Long> stored = db.inTenant(tenant, DeadLetterStore::indexedOffsets);
            for (TopicPartition tp : tps) {
                Long next = stored.get(tp.partition());
                if (next == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, next);
                }
            }
        });
    }

    private void index(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            TenantId tenant = Topics.tenantOf(tp.topic()).orElse(null);
            if (tenant == null) {
                continue;
            }
            List<ConsumerRecord<byte[], byte[]>> batch = records.records(tp);
            boolean folded;
            try {
                folded = db.inTenant(tenant, tx -> {
                Long stored = DeadLetterStore.indexedOffsets(tx).get(tp.partition());
                long last = -1;
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    if (stored != null && record.offset() < stored) {
                        continue; // folded already
                    }
                    DeadLetterStore.fold(tx, failureOf(record), parkAfter);
                    last = record.offset();
                }
                if (last < 0) {
                    return true;
                }
                if (!DeadLetterStore.advanceIndexed(tx, tp.partition(), stored, last + 1)) {
                    throw new StaleIndex(); // rolls the rows back with it
                }
                return true;
            });
            } catch (StaleIndex e) {
                folded = false;
            }
            if (!folded) {
                // Another indexer moved the offset meanwhile (a rebalance): go to where it got.
                seekToIndexed(List.of(tp));
            }
        }
    }

    /** Another indexer moved a partition's offset since this one read it. */
    private static final class StaleIndex extends RuntimeException {
        StaleIndex() {
            super(null, null, false, false);
        }
    }

    /** What one DLQ record says about its original event. */
    static DeadLetterStore.Failure failureOf(ConsumerRecord<byte[], byte[]> record) {
        int sourcePartition = intHeader(record, DeadLetter.SOURCE_PARTITION, 0);
        long sourceOffset = longHeader(record, DeadLetter.SOURCE_OFFSET, 0L);
        String id = header(record, DlqReplay.DEAD_LETTER_ID);
        if (!DeadLetterRow.isId(id)) {
            id = DeadLetterRow.idOf(sourcePartition, sourceOffset);
        } else {
            String[] parts = id.split("-");
            sourcePartition = Integer.parseInt(parts[0]);
            sourceOffset = Long.parseLong(parts[1]);
        }
        String reason = orElse(header(record, DeadLetter.ERROR_CODE), "unknown");
        String message = orElse(header(record, DeadLetter.ERROR_MESSAGE), "");
        String dataset = null;
        String eventId = null;
        if (record.value() != null) {
            try {
                JsonNode envelope = JSON.readTree(record.value());
                if (envelope != null && envelope.isObject()) {
                    dataset = envelope.path("dataset").isTextual() ? envelope.path("dataset").asText() : null;
                    eventId = envelope.path("event_id").isTextual() ? envelope.path("event_id").asText() : null;
                }
            } catch (IOException e) {
                // not an envelope (malformed-envelope): no dataset, no event id
            }
        }
        Map<String, String> carried = new LinkedHashMap<>();
        for (Header h : record.headers()) {
            if (!FAILURE_HEADERS.contains(h.key()) && h.value() != null) {
                carried.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        String omitted = header(record, DeadLetter.VALUE_OMITTED);
        Instant failedAt = Instant.ofEpochMilli(record.timestamp());
        Instant firstFailedAt = failedAt;
        String first = header(record, DeadLetter.FIRST_FAILURE_AT);
        if (first != null) {
            try {
                firstFailedAt = Instant.parse(first.strip());
            } catch (DateTimeParseException e) {
                // keep the record's time
            }
        }
        // Text from a hostile record may hold NUL, which PostgreSQL's text and jsonb cannot: one
        // such record must not stop the indexer. Header names and values are cleaned the same way.
        Map<String, String> cleanHeaders = new LinkedHashMap<>();
        carried.forEach((k, v) -> cleanHeaders.put(clean(k), clean(v)));
        List<DeadLetterRow.Violation> violations = violations(reason, message).stream()
                .map(v -> new DeadLetterRow.Violation(clean(v.pointer()), clean(v.message()))).toList();
        return new DeadLetterStore.Failure(id, clean(reason), clean(orElse(header(record, DeadLetter.ERROR_STAGE), "unknown")), clean(message),
                clean(dataset), clean(eventId), violations, sourcePartition, sourceOffset, record.partition(), record.offset(), record.key(), record.value(),
                cleanHeaders, omitted == null ? null : parseLong(omitted, 0L), Math.max(1, intHeader(record, DeadLetter.ATTEMPT, 1)), firstFailedAt,
                failedAt);
    }

    /**
     * The violations of a {@code schema-violation} reason, from its message ("… version N:
     * /data/qty: maximum: …; /data/url: required"): each pointer with its message.
     */
    static List<DeadLetterRow.Violation> violations(String reason, String message) {
        List<DeadLetterRow.Violation> out = new ArrayList<>();
        if (!"schema-violation".equals(reason)) {
            return out;
        }
        Matcher m = VIOLATIONS.matcher(message);
        if (!m.find()) {
            return out;
        }
        for (String part : m.group(1).split("; ")) {
            int colon = part.indexOf(": ");
            if (part.startsWith("/") && colon > 0) {
                out.add(new DeadLetterRow.Violation(part.substring(0, colon), part.substring(colon + 2)));
            } else if (part.startsWith("/")) {
                out.add(new DeadLetterRow.Violation(part, ""));
            }
        }
        return out;
    }

    /** NUL as U+FFFD: PostgreSQL text cannot hold it. */
    static String clean(String text) {
        return text == null || text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }

    private static String orElse(String value, String otherwise) {
        return value == null ? otherwise : value;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static int intHeader(ConsumerRecord<byte[], byte[]> record, String key, int otherwise) {
        return (int) parseLong(header(record, key), otherwise);
    }

    private static long longHeader(ConsumerRecord<byte[], byte[]> record, String key, long otherwise) {
        return parseLong(header(record, key), otherwise);
    }

    private static long parseLong(String text, long otherwise) {
        if (text == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    @Override
    public void close() {
        stopping = true;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
