package dev.pulse.worker.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.deadletters.DeadLetterFilter;
import dev.pulse.schemas.deadletters.DeadLetterRow;
import dev.pulse.schemas.deadletters.DeadLetterState;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.directory.SchemaDirectory;
import dev.pulse.schemas.event.CompiledSchema;
import dev.pulse.schemas.event.EventConverter;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.event.MalformedEnvelopeException;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.WorkerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
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
 * Sends a tenant's selected dead letters back to its raw topic, each exactly once, from the
 * dead-letter store ({@code pulse.dead_letters}): filtered, optionally patched (JSON Merge Patch
 * on the event's {@code data} or its envelope), paced, audited and resumable.
 *
 * <p><b>Exactly once across PostgreSQL and Kafka.</b> A run first marks every selected row
 * {@code replaying} for itself and records the run and its audit entry, in one tenant-bound
 * transaction. Then, chunk by chunk: the chunk's rows get the next sequence number (PostgreSQL);
 * its raw records and that sequence number, committed as the offset of the replay group
 * {@code pulse-dlq-replay.<tenant>} on the tenant's DLQ partition 0, go in one Kafka transaction;
 * then the rows become {@code replayed}. The committed offset is thus the truth about which
 * chunks went out: a replay that died anywhere is resumed by the next {@code pulse dlq replay}
 * of the tenant, which confirms the chunks up to the committed sequence and sends the others
 * again. One replay per tenant at a time: the transactional id is the tenant's, so a second run
 * fences the first, and the database holds at most one running run per tenant.
 *
 * <p>A replayed record carries {@link #DEAD_LETTER_ID}, its attempt count and first failure time,
 * so if it fails again the worker's DLQ record folds into the same row (attempt + 1; parked after
 * {@code PULSE_DLQ_PARK_AFTER} failed replays). {@code tenant-mismatch} dead letters are never
 * replayed (the replay sets the topic's tenant header, which would launder them), nor are those
 * whose bytes were too big for the DLQ.
 */
public final class DlqReplay {
    /** Header on a replayed raw record naming the DLQ record it came from: {@code <topic>/<partition>/<offset>}. */
    public static final String REPLAY_OF = "pulse-replay-of";
    /** Header on a replayed raw record (and so on its DLQ record if it fails again): the dead letter's stable id. */
    public static final String DEAD_LETTER_ID = "pulse-dead-letter-id";
    /** Header on a replayed raw record: the replay run that sent it. */
    public static final String REPLAY_RUN = "pulse-replay-run";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CHUNK = 2000;
    private static final int DRY_RUN_PAGE = 1000;

    /** What to replay: which dead letters, whether parked ones too, the patches (null: none), who asks. */
    public record ReplayRequest(DeadLetterFilter filter, boolean includeParked, JsonNode dataPatch, JsonNode envelopePatch, String actor) {
        DeadLetterFilter selection() {
            return filter.withStates(includeParked ? Set.of(DeadLetterState.OPEN, DeadLetterState.PARKED) : Set.of(DeadLetterState.OPEN));
        }

        String patchJson() {
            if (dataPatch == null && envelopePatch == null) {
                return null;
            }
            ObjectNode json = JSON.createObjectNode();
            json.set("data", dataPatch);
            json.set("envelope", envelopePatch);
            return json.toString();
        }
    }

    /**
     * {@code resumedRun}: a run that had died and was finished first (null if none); {@code run}:
     * this request's run; how many it selected and sent back (resumed chunks included).
     */
    public record ReplayResult(UUID resumedRun, int resumedReplayed, UUID run, int selected, int replayed, double seconds) {
        public double ratePerSecond() {
            return seconds <= 0 ? replayed + resumedReplayed : (replayed + resumedReplayed) / seconds;
        }
    }

    /** Would-land and would-fail counts (by reason) of a dry run; nothing was written. */
    public record DryRunResult(int selected, int wouldLand, Map<String, Integer> wouldFail) {
    }

    /** Told after each chunk: sent so far and how many the run has. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {
        };

        void update(int done, int total);
    }

    /** Crash-test hook; production uses {@link #NO_CRASH}. */
    @FunctionalInterface
    public interface CrashHook {
        void reached(ReplayCrashPoint point);
    }

    public static final CrashHook NO_CRASH = point -> {
    };

    private DlqReplay() {
    }

    /** The consumer group whose committed offset (DLQ partition 0) is the sequence number of the last chunk sent. */
    public static String replayGroup(TenantId tenant) {
        return "pulse-dlq-replay." + tenant;
    }

    public static ReplayResult replay(WorkerConfig config, TenantDatabase db, TenantId tenant, ReplayRequest request, Progress progress) {
        return replay(config, db, tenant, request, progress, NO_CRASH);
    }

    public static ReplayResult replay(WorkerConfig config, TenantDatabase db, TenantId tenant, ReplayRequest request, Progress progress,
            CrashHook crash) {
        long started = System.nanoTime();
        TopicPartition marker = new TopicPartition(Topics.dlq(tenant), 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(config, tenant), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // Fences a predecessor run and has the broker finish its open transaction, so the committed sequence is final.
            producer.initTransactions();
            try (org.apache.kafka.clients.admin.Admin admin = config.infrastructure().openKafkaAdmin()) {
                dev.pulse.schemas.usage.UsageTopic.ensure(admin); // each chunk's transaction counts what it replayed
            }
            long committed = committedSequence(config, tenant, marker);
            Pacer pacer = new Pacer(config.dlqReplayRate());
            UUID resumedRun = null;
            int resumedReplayed = 0;
            Optional<DeadLetterStore.ReplayRun> running = db.inTenant(tenant, DeadLetterStore::runningReplay);
            Sequence seq = new Sequence(committed);
            if (running.isPresent()) {
                DeadLetterStore.ReplayRun run = running.get();
                resumedRun = run.runId();
                int confirmed = db.inTenant(tenant, tx -> {
                    int n = DeadLetterStore.confirmSent(tx, run.runId(), committed, run.actor(), Instant.now());
                    DeadLetterStore.unclaimAfter(tx, run.runId(), committed);
                    return n;
                });
                JsonNode patch = run.patchJson() == null ? null : readJson(run.patchJson());
                resumedReplayed = confirmed + sendAll(db, tenant, producer, marker, run.runId(), run.actor(),
                        patch == null ? null : nullIfMissing(patch.get("data")), patch == null ? null : nullIfMissing(patch.get("envelope")),
                        run.selected(), run.replayed() + confirmed, seq, pacer, progress, crash);
                db.inTenant(tenant, tx -> {
                    DeadLetterStore.finishReplay(tx, run.runId(), Instant.now());
                    return null;
                });
            }
            UUID runId = UUID.randomUUID();
            int selected = db.inTenant(tenant, tx -> {
                int n = DeadLetterStore.startReplay(tx, runId, request.selection(), request.actor(), request.patchJson(), Instant.now());
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("run", runId.toString());
                detail.put("filter", request.selection().describe());
                detail.put("patch", request.patchJson() == null ? null : readJson(request.patchJson()));
                detail.put("selected", n);
                DeadLetterStore.audit(tx, request.actor(), "dlq.replay", detail);
                return n;
            });
            int replayed = sendAll(db, tenant, producer, marker, runId, request.actor(), request.dataPatch(), request.envelopePatch(), selected, 0,
                    seq, pacer, progress, crash);
            db.inTenant(tenant, tx -> {
                DeadLetterStore.finishReplay(tx, runId, Instant.now());
                return null;
            });
            return new ReplayResult(resumedRun, resumedReplayed, runId, selected, replayed, (System.nanoTime() - started) / 1e9);
        }
    }

    /** The next chunk's sequence number. */
    private static final class Sequence {
        long last;

        Sequence(long last) {
            this.last = last;
        }
    }

    private static int sendAll(TenantDatabase db, TenantId tenant, KafkaProducer<byte[], byte[]> producer, TopicPartition marker, UUID runId,
            String actor, JsonNode dataPatch, JsonNode envelopePatch, int total, int doneBefore, Sequence seq, Pacer pacer, Progress progress,
            CrashHook crash) {
        int sent = 0;
        String raw = Topics.raw(tenant);
        ConsumerGroupMetadata group = new ConsumerGroupMetadata(replayGroup(tenant));
        long first = seq.last + 1;
        List<DeadLetterRow> chunk = db.inTenant(tenant, tx -> DeadLetterStore.claimChunk(tx, runId, first, pacer.chunk()));
        long next = first;
        while (!chunk.isEmpty()) {
            crash.reached(ReplayCrashPoint.AFTER_CHUNK_CLAIMED);
            pacer.acquire(chunk.size());
            producer.beginTransaction();
            for (DeadLetterRow row : chunk) {
                producer.send(new ProducerRecord<>(raw, null, row.key(), patched(row.payload(), dataPatch, envelopePatch),
                        replayHeaders(tenant, row, runId)));
            }
            // Usage: the chunk's dead letters replayed, by reason, in the chunk's own transaction (exactly once with it).
            Instant at = Instant.now();
            chunk.stream().collect(java.util.stream.Collectors.groupingBy(r -> r.reason() == null ? "" : r.reason(),
                            java.util.stream.Collectors.counting()))
                    .forEach((reason, n) -> producer.send(dev.pulse.schemas.usage.UsageRecord.deadLettersReplayed(tenant, at, reason, n)
                            .toProducerRecord()));
            producer.sendOffsetsToTransaction(Map.of(marker, new OffsetAndMetadata(next, "run:" + runId)), group);
            producer.commitTransaction();
            seq.last = next;
            crash.reached(ReplayCrashPoint.AFTER_KAFKA_COMMIT);
            sent += chunk.size();
            progress.update(doneBefore + sent, total);
            // One transaction confirms this chunk and claims the next.
            long done = next;
            long following = next + 1;
            chunk = db.inTenant(tenant, tx -> {
                DeadLetterStore.confirmSent(tx, runId, done, actor, Instant.now());
                return DeadLetterStore.claimChunk(tx, runId, following, pacer.chunk());
            });
            next = following;
        }
        return sent;
    }

    /**
     * Checks every selected dead letter, patched, against its dataset's current schema; writes
     * nothing. Would fail: the envelope does not decode, the dataset does not exist, the data
     * breaks the schema, or it cannot be replayed at all (tenant-mismatch, bytes not kept).
     */
    public static DryRunResult dryRun(TenantDatabase db, TenantId tenant, ReplayRequest request) {
        Map<String, Integer> fail = new TreeMap<>();
        int[] land = {0};
        int[] selected = {0};
        Map<String, Optional<Validator>> validators = new HashMap<>();
        // Page through the selection by id, a thousand at a time, so a million dead letters do not sit in memory.
        String afterId = "";
        while (true) {
            String from = afterId;
            List<DeadLetterRow> page = db.inTenant(tenant, tx -> DeadLetterStore.page(tx, request.selection(), from, DRY_RUN_PAGE));
            for (DeadLetterRow row : page) {
                selected[0]++;
                String verdict = verdict(db, tenant, row, request, validators);
                if (verdict == null) {
                    land[0]++;
                } else {
                    fail.merge(verdict, 1, Integer::sum);
                }
            }
            if (page.size() < DRY_RUN_PAGE) {
                return new DryRunResult(selected[0], land[0], fail);
            }
            afterId = page.getLast().id();
        }
    }

    /** Null: would land; else the reason it would fail. */
    private static String verdict(TenantDatabase db, TenantId tenant, DeadLetterRow row, ReplayRequest request,
            Map<String, Optional<Validator>> validators) {
        if (ErrorCode.TENANT_MISMATCH.wireName().equals(row.reason()) || row.payload() == null) {
            return "not-replayable";
        }
        EventEnvelope envelope;
        try {
            envelope = EventEnvelope.fromBytes(JSON, patched(row.payload(), request.dataPatch(), request.envelopePatch()));
        } catch (MalformedEnvelopeException e) {
            return ErrorCode.MALFORMED_ENVELOPE.wireName();
        }
        Optional<Validator> validator = validators.computeIfAbsent(envelope.dataset(), slug -> db.inTenant(tenant, tx -> {
            Optional<DatasetRecord> dataset;
            try {
                dataset = DatasetDirectory.find(tx, slug);
            } catch (RuntimeException e) {
                return Optional.<Validator>empty();
            }
            if (dataset.isEmpty()) {
                return Optional.<Validator>empty();
            }
            Optional<RegisteredSchema> schema = SchemaDirectory.find(tx, dataset.get().schemaName(), dataset.get().schemaVersion());
            return schema.map(s -> new Validator(s, CompiledSchema.compile(s.definition(), s.parsed())));
        }));
        if (validator.isEmpty()) {
            return ErrorCode.UNKNOWN_DATASET.wireName();
        }
        Validator v = validator.get();
        try {
            EventConverter.ConversionResult converted = EventConverter.convert(v.schema().parsed(), IcebergSchemas.tableSchema(v.schema().parsed()),
                    envelope);
            if (!converted.isValid() || !v.compiled().violations(envelope.data()).isEmpty()) {
                return ErrorCode.SCHEMA_VIOLATION.wireName();
            }
        } catch (RuntimeException e) {
            return ErrorCode.CONVERSION_FAILED.wireName();
        }
        return null;
    }

    private record Validator(RegisteredSchema schema, CompiledSchema compiled) {
    }

    /** The payload with the patches applied (the data patch to {@code data}, the envelope patch to the whole); unchanged if not JSON. */
    static byte[] patched(byte[] payload, JsonNode dataPatch, JsonNode envelopePatch) {
        if (dataPatch == null && envelopePatch == null) {
            return payload;
        }
        JsonNode envelope;
        try {
            envelope = JSON.readTree(payload);
        } catch (IOException e) {
            return payload; // not JSON: nothing a merge patch can apply to; it fails again as malformed-envelope
        }
        if (envelope == null || !envelope.isObject()) {
            return payload;
        }
        JsonNode result = envelope;
        if (envelopePatch != null) {
            result = MergePatch.apply(result, envelopePatch);
        }
        if (dataPatch != null && result.isObject()) {
            ((ObjectNode) result).set("data", MergePatch.apply(result.get("data"), dataPatch));
        }
        return result.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The record's own headers, the tenant's header, and the failure history (attempts, first failure, the dead letter's id). */
    private static RecordHeaders replayHeaders(TenantId tenant, DeadLetterRow row, UUID runId) {
        RecordHeaders headers = new RecordHeaders();
        row.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        put(headers, Topics.TENANT_HEADER, tenant.toString());
        put(headers, DeadLetter.ATTEMPT, Integer.toString(row.attempts()));
        put(headers, DeadLetter.FIRST_FAILURE_AT, row.firstFailedAt().toString());
        put(headers, DEAD_LETTER_ID, row.id());
        put(headers, REPLAY_RUN, runId.toString());
        put(headers, REPLAY_OF, Topics.dlq(tenant) + "/" + row.dlqPartition() + "/" + row.dlqOffset());
        return headers;
    }

    private static void put(RecordHeaders headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static long committedSequence(WorkerConfig config, TenantId tenant, TopicPartition marker) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.infrastructure().kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, replayGroup(tenant));
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            OffsetAndMetadata at = consumer.committed(Set.of(marker), java.time.Duration.ofSeconds(30)).get(marker);
            return at == null ? 0 : at.offset();
        }
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new WorkerException("a stored replay patch is not JSON: " + text, e);
        }
    }

    private static JsonNode nullIfMissing(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
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

    /** Holds a replay to {@code PULSE_DLQ_REPLAY_RATE} dead letters per second, so live ingest keeps its share of the topic and the worker. */
    static final class Pacer {
        private final int rate;
        private long nextFreeNanos = System.nanoTime();

        Pacer(int rate) {
            this.rate = rate;
        }

        int chunk() {
            return Math.max(1, Math.min(MAX_CHUNK, rate));
        }

        void acquire(int n) {
            long now = System.nanoTime();
            long wait = nextFreeNanos - now;
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WorkerException("DLQ replay interrupted; what was sent is committed, run it again to go on", e);
                }
            }
            nextFreeNanos = Math.max(nextFreeNanos, now) + n * 1_000_000_000L / rate;
        }
    }
}
