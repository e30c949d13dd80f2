package dev.pulse.control.lifecycle.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.ControlException;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.MalformedEnvelopeException;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends the events a restore removed back to the tenant's raw topic, minus what the operator
 * skips, so the worker lands them again as new records (new positions; the restore released
 * their dedup claims).
 *
 * <p><b>Which records.</b> Per raw partition, those in the restored dataset's removed range
 * [target offset, cut offset) that are bound for that dataset, minus: the operator's skips
 * ({@link ReingestSkip}), records that went to the DLQ (their position is a dead letter in
 * {@code pulse.dead_letters}; a replayed one came back as a later record, which is in the range
 * itself), and records that are not an envelope. A record the raw topic no longer holds
 * (retention) cannot come back: the result names those offsets.
 *
 * <p><b>Exactly once, resumable.</b> Chunks are sent in Kafka transactions (transactional id
 * {@code pulse-restore.<tenant>}: a second re-ingest of the tenant fences the first) that also
 * commit the chunk's progress as the offsets of a consumer group named after the restore snapshots
 * ({@code pulse-restore.<tenant>.<run>}, a name no consumer uses). A re-run resumes after the last
 * committed chunk; a chunk whose transaction died is sent again whole and its first copy stays
 * aborted, invisible to the read_committed worker.
 */
public final class Reingest {
    static final String REINGEST_OF = "pulse-reingest-of";
    static final String RESTORE_RUN = "pulse-restore-run";
    private static final int CHUNK = 500;
    private static final Duration STALL = Duration.ofSeconds(60);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final TenantDatabase db;
    private final String bootstrap;
    private final int chunk;

    public Reingest(TenantDatabase db, String bootstrap) {
        this(db, bootstrap, CHUNK);
    }

    /** {@code chunk}: raw records read per transaction at most (tests use small chunks to stop between them). */
    public Reingest(TenantDatabase db, String bootstrap, int chunk) {
        this.db = db;
        this.bootstrap = bootstrap;
        this.chunk = chunk;
    }

    /** Called after each chunk with the records read so far and the records in the range. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(long done, long total);
    }

    /** Counts of one run (a re-run counts only what it read itself). */
    public record ReingestResult(String run, boolean dryRun, long read, long sent, long skippedByOperator, long deadLetters, long otherDatasets,
            long notEnvelopes, Map<Integer, long[]> gone) {
        public ObjectNode toJson() {
            ObjectNode node = JsonNodeFactory.instance.objectNode().put("run", run).put("dry_run", dryRun).put("read", read)
                    .put(dryRun ? "would_send" : "sent", sent).put("skipped_by_operator", skippedByOperator).put("dead_letters", deadLetters)
                    .put("other_datasets", otherDatasets).put("not_envelopes", notEnvelopes);
            ObjectNode goneNode = node.putObject("gone_from_topic");
            gone.forEach((p, r) -> goneNode.putObject(Integer.toString(p)).put("from", r[0]).put("to", r[1]));
            return node;
        }

        public String describe() {
            String s = String.format("re-ingest %s: %d raw record(s) read, %d %s, %d skipped by you, %d dead letter(s) left in the DLQ, "
                    + "%d for other datasets or outside the range, %d not envelopes", run, read, sent, dryRun ? "would be sent" : "sent",
                    skippedByOperator, deadLetters, otherDatasets, notEnvelopes);
            if (!gone.isEmpty()) {
                s += "\n  the raw topic no longer holds offsets " + gone.entrySet().stream()
                        .map(e -> e.getKey() + ":" + e.getValue()[0] + "-" + (e.getValue()[1] - 1)).collect(Collectors.joining(" "))
                        + " (retention): those events cannot be re-ingested";
            }
            return s;
        }
    }

    /**
     * Re-ingests the removed ranges of the committed restores in {@code plans} (those with a
     * {@code restoredBy}); with {@code dryRun} it reads and counts the ranges of any plan and
     * sends nothing.
     */
    public ReingestResult run(TenantId tenant, List<DatasetPlan> plans, ReingestSkip skip, boolean dryRun, String actor, Progress progress,
            RestoreCrashPoint.Hook crash) {
        List<DatasetPlan> restored = plans.stream().filter(p -> dryRun || p.restoredBy() != null).toList();
        String run = runId(tenant, restored);
        String group = "pulse-restore." + tenant + "." + run;
        String raw = Topics.raw(tenant);
        Map<Integer, long[]> range = ranges(restored);
        Map<String, DatasetPlan> byDataset = restored.stream().collect(Collectors.toMap(DatasetPlan::dataset, p -> p));
        Counts counts = new Counts();
        Map<Integer, long[]> gone = new TreeMap<>();
        if (range.isEmpty()) {
            return counts.result(run, dryRun, gone);
        }
        if (!dryRun) {
            new AuditLog(db).record(actor, "tenant.restore.reingest.start", tenant, Map.of("run", run, "skip", skip.describe(),
                    "datasets", restored.stream().map(DatasetPlan::dataset).toList()));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(group), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = dryRun ? null : new KafkaProducer<>(producerProperties(tenant),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            if (producer != null) {
                producer.initTransactions(); // fences an earlier run of this tenant and ends its open transaction
            }
            Set<TopicPartition> partitions = range.keySet().stream().map(p -> new TopicPartition(raw, p)).collect(Collectors.toSet());
            Map<TopicPartition, OffsetAndMetadata> committed = dryRun ? Map.of() : consumer.committed(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> logStart = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> end = new HashMap<>();
            Map<TopicPartition, Long> starts = new HashMap<>();
            long total = 0;
            for (TopicPartition tp : partitions) {
                long[] r = range.get(tp.partition());
                long start = r[0];
                OffsetAndMetadata resumeAt = committed.get(tp);
                if (resumeAt != null) {
                    start = Math.max(start, resumeAt.offset());
                }
                long first = logStart.getOrDefault(tp, 0L);
                if (first > start) {
                    gone.put(tp.partition(), new long[] {start, Math.min(first, r[1])});
                    start = Math.min(first, r[1]);
                }
                if (start < r[1]) {
                    end.put(tp, r[1]);
                    starts.put(tp, start);
                    total += r[1] - start;
                }
            }
            consumer.assign(starts.keySet());
            starts.forEach(consumer::seek);
            ConsumerGroupMetadata groupMetadata = new ConsumerGroupMetadata(group);
            long lastProgress = System.nanoTime();
            Map<TopicPartition, Long> positions = new HashMap<>();
            while (!end.isEmpty()) {
                List<ConsumerRecord<byte[], byte[]>> candidates = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (end.containsKey(tp) && record.offset() < end.get(tp)) {
                        candidates.add(record);
                    }
                }
                // Progress to commit with the chunk: each partition's position, at most its range's end.
                Map<TopicPartition, OffsetAndMetadata> reached = new HashMap<>();
                for (TopicPartition tp : new ArrayList<>(end.keySet())) {
                    long position = Math.min(consumer.position(tp), end.get(tp));
                    if (!Long.valueOf(position).equals(positions.put(tp, position))) {
                        reached.put(tp, new OffsetAndMetadata(position, "restore"));
                    }
                    if (position >= end.get(tp)) {
                        end.remove(tp);
                        consumer.pause(List.of(tp));
                    }
                }
                if (candidates.isEmpty() && reached.isEmpty()) {
                    if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                        throw new ControlException(ControlException.Kind.UNAVAILABLE, "reingest-stalled", "re-ingest read nothing from " + raw
                                + " for " + STALL.toSeconds() + " s before the end of its range; what was sent is committed, run it again");
                    }
                    continue;
                }
                List<ConsumerRecord<byte[], byte[]>> selected = select(tenant, candidates, byDataset, skip, counts);
                if (producer != null) {
                    producer.beginTransaction();
                    for (ConsumerRecord<byte[], byte[]> record : selected) {
                        producer.send(new ProducerRecord<>(raw, record.partition(), record.key(), record.value(), headers(record, run)));
                    }
                    producer.sendOffsetsToTransaction(reached, groupMetadata);
                    producer.commitTransaction();
                }
                counts.read += candidates.size();
                counts.sent += selected.size();
                lastProgress = System.nanoTime();
                progress.update(counts.read, total);
                if (!end.isEmpty()) {
                    crash.reached(RestoreCrashPoint.AFTER_REINGEST_CHUNK);
                }
            }
        }
        ReingestResult result = counts.result(run, dryRun, gone);
        if (!dryRun) {
            new AuditLog(db).record(actor, "tenant.restore.reingest", tenant, Map.of("run", run, "skip", skip.describe(), "result", result.toJson()));
        }
        return result;
    }

    /** Decides each record; the dead-letter positions of the chunk are looked up in one statement. */
    private List<ConsumerRecord<byte[], byte[]>> select(TenantId tenant, List<ConsumerRecord<byte[], byte[]>> records,
            Map<String, DatasetPlan> byDataset, ReingestSkip skip, Counts counts) {
        Map<ConsumerRecord<byte[], byte[]>, EventEnvelope> inRange = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            EventEnvelope envelope;
            try {
                envelope = EventEnvelope.fromBytes(MAPPER, record.value());
            } catch (MalformedEnvelopeException e) {
                counts.notEnvelopes++;
                continue;
            }
            DatasetPlan plan = byDataset.get(envelope.dataset());
            if (plan == null || record.offset() < plan.offset(plan.targetOffsets(), record.partition())
                    || record.offset() >= plan.offset(plan.cutOffsets(), record.partition())) {
                counts.otherDatasets++;
            } else if (skip.skips(record.partition(), record.offset(), envelope.eventId(), envelope.receivedAt())) {
                counts.skippedByOperator++;
            } else {
                inRange.put(record, envelope);
            }
        }
        if (inRange.isEmpty()) {
            return List.of();
        }
        String[] ids = inRange.keySet().stream().map(r -> r.partition() + "-" + r.offset()).toArray(String[]::new);
        Set<String> deadLetters = new HashSet<>(db.inTenant(tenant, tx -> tx.query(
                "SELECT id FROM pulse.dead_letters WHERE id = ANY(?::text[])", rs -> rs.getString(1), (Object) ids)));
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : inRange.keySet()) {
            if (deadLetters.contains(record.partition() + "-" + record.offset())) {
                counts.deadLetters++;
            } else {
                out.add(record);
            }
        }
        return out;
    }

    /** Per partition, the smallest target offset and the largest cut offset of the plans: what is read. */
    private static Map<Integer, long[]> ranges(List<DatasetPlan> plans) {
        Map<Integer, long[]> out = new TreeMap<>();
        for (DatasetPlan plan : plans) {
            plan.cutOffsets().forEach((p, cut) -> {
                long from = plan.offset(plan.targetOffsets(), p);
                if (cut > from) {
                    out.merge(p, new long[] {from, cut}, (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                }
            });
        }
        return out;
    }

    /** The same run for the same restore snapshots, so a re-run resumes its progress. */
    static String runId(TenantId tenant, List<DatasetPlan> plans) {
        String key = tenant + "|" + plans.stream().map(p -> p.dataset() + ":" + p.restoredBy()).sorted().collect(Collectors.joining(","));
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString().substring(0, 8);
    }

    private static RecordHeaders headers(ConsumerRecord<byte[], byte[]> record, String run) {
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(h -> {
            if (!h.key().equals(REINGEST_OF) && !h.key().equals(RESTORE_RUN)) {
                headers.add(h);
            }
        });
        headers.add(REINGEST_OF, (record.partition() + "-" + record.offset()).getBytes(StandardCharsets.UTF_8));
        headers.add(RESTORE_RUN, run.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private Properties consumerProperties(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, chunk);
        return p;
    }

    private Properties producerProperties(TenantId tenant) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pulse-restore." + tenant);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Raw records are up to the API's 1 MiB event plus envelope; tenant topics accept 4 MiB.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        return p;
    }

    private static final class Counts {
        long read;
        long sent;
        long skippedByOperator;
        long deadLetters;
        long otherDatasets;
        long notEnvelopes;

        ReingestResult result(String run, boolean dryRun, Map<Integer, long[]> gone) {
            return new ReingestResult(run, dryRun, read, sent, skippedByOperator, deadLetters, otherDatasets, notEnvelopes, gone);
        }
    }
}
