package dev.pulse.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The load {@code pulse bench ingest} drives: Pulse-shaped events posted over HTTP by several
 * clients, and the same records sent by Kafka's own producer. Bodies are built before the clock
 * starts, so the bench's own JSON work is not timed against the server it shares the CPU with.
 */
final class IngestLoad {
    static final String DATASET = "events";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiUrl;
    private final String run;
    private long sequence;

    IngestLoad(String apiUrl, String run) {
        this.apiUrl = apiUrl;
        this.run = run;
    }

    /** A tenant the bench posts to: its key, and the partitions of its raw topic. */
    record Target(String slug, TenantId id, String key, int partitions) {
    }

    /** One request ready to send: its tenant, body and event ids (the record keys, in order). */
    record Request(Target target, String body, List<String> eventIds) {
    }

    /** Events posted in {@code seconds}: a timed phase. */
    record Phase(long events, long requests, double seconds) {
        double eventsPerSecond() {
            return events / seconds;
        }
    }

    /** {@code events} events as requests of {@code perRequest}, round-robin over the targets. */
    List<Request> requests(List<Target> targets, long events, int perRequest) {
        List<Request> requests = new ArrayList<>();
        Instant time = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        long made = 0;
        for (int i = 0; made < events; i++) {
            int size = (int) Math.min(perRequest, events - made);
            requests.add(request(targets.get(i % targets.size()), size, time));
            made += size;
        }
        return requests;
    }

    /** One request of {@code size} events stamped {@code time}: one object, or an array when more than one. */
    Request request(Target target, int size, Instant time) {
        ArrayNode body = OperatorClient.JSON.createArrayNode();
        List<String> ids = new ArrayList<>(size);
        for (int e = 0; e < size; e++) {
            long n = nextSequence();
            String id = run + "-" + n;
            ids.add(id);
            ObjectNode event = body.addObject().put("dataset", DATASET).put("event_id", id).put("timestamp", time.toString());
            data(event.putObject("data"), n);
        }
        return new Request(target, size == 1 ? body.get(0).toString() : body.toString(), ids);
    }

    private synchronized long nextSequence() {
        return sequence++;
    }

    private static void data(ObjectNode data, long n) {
        data.put("url", "/page/" + (n % 97)).put("user_id", "u-" + (n % 1000)).put("duration_ms", n % 5000);
    }

    /** Sends every request, {@code clients} at a time; the phase ends with the last 202. */
    Phase post(List<Request> requests, int clients) throws Exception {
        ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>(requests);
        long events = requests.stream().mapToLong(r -> r.eventIds().size()).sum();
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<Void>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (Request r = queue.poll(); r != null; r = queue.poll()) {
                        send(r);
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        }
        return new Phase(events, requests.size(), (System.nanoTime() - started) / 1e9);
    }

    /** Posts one request; anything but 202 stops the bench. */
    void send(Request request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/events"))
                .header("Authorization", "Bearer " + request.target().key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.body())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new RefusedException(response.statusCode(), "POST /v1/events answered " + response.statusCode() + ": " + response.body());
        }
    }

    /**
     * Kafka's own producer, configured as Kafka's {@code ProducerPerformance} runs it with
     * {@code acks=all}, idempotence and lz4 (every other setting Kafka's default), sends {@code
     * records} records shaped like the API's to {@code topic}: the same key (an event id), value
     * (the envelope the API writes, same fields and sizes) and tenant header. Timed until the
     * last acknowledgement.
     */
    static Phase produceRaw(String bootstrap, String topic, Target shape, String run, long records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "pulse-bench-ingest");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        byte[] tenantHeader = shape.id().toString().getBytes(StandardCharsets.UTF_8);
        // A pool of distinct records built before the clock starts, sent in turn (as
        // ProducerPerformance sends prepared payloads): the timed loop is the producer's own work.
        Instant time = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        int distinct = (int) Math.min(records, 10_000);
        byte[][] keys = new byte[distinct][];
        byte[][] values = new byte[distinct][];
        for (int n = 0; n < distinct; n++) {
            String id = run + "-raw-" + n;
            ObjectNode data = OperatorClient.JSON.createObjectNode();
            data(data, n);
            keys[n] = id.getBytes(StandardCharsets.UTF_8);
            values[n] = new EventEnvelope(DATASET, id, time, time, data).toBytes();
        }
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            long started = System.nanoTime();
            for (long n = 0; n < records; n++) {
                int i = (int) (n % distinct);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, keys[i], values[i]);
                record.headers().add(Topics.TENANT_HEADER, tenantHeader);
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            double seconds = (System.nanoTime() - started) / 1e9;
            if (failure.get() != null) {
                throw new RefusedException(0, "Kafka's producer failed: " + failure.get());
            }
            return new Phase(records, 0, seconds);
        }
    }

    /** The settings the raw producer runs with, for the report. */
    static Map<String, String> rawProducerSettings() {
        return Map.of("acks", "all", "enable.idempotence", "true", "compression.type", "lz4", "other settings", "Kafka's defaults");
    }
}
