package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.api.ApiConfig;
import dev.pulse.api.IngestApi;
import dev.pulse.api.idempotency.IdempotencyKey;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Producers retrying through the real API and worker, around an API that stops and one that dies
 * mid-request: every event id ends in the table exactly once.
 */
class ProducerRetriesEndToEndIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void retriesAcrossAnApiRestartAndAnApiDeathMidRequestStoreEachIdOnce() throws Exception {
        PipelineFixture pipeline = PipelineFixture.shared();
        TenantRecord tenant = pipeline.stack.newTenant();
        pipeline.stack.schemas().register(tenant.id(), "clicks", JSON.readTree("{\"type\": \"object\", \"properties\": {\"page\": {\"type\": \"string\"}}}"));
        pipeline.stack.datasets().create(tenant.id(), "clicks", "clicks", null, IcebergSchemas.Partitioning.DAY);
        String key = pipeline.stack.keys().create(tenant.id(), "k", Set.of(Scope.INGEST), null).token();
        List<String> expected = new ArrayList<>();

        IngestApi first = IngestApi.start(ApiConfig.from(pipeline.stack.settings()));
        String withIds;
        String withoutIds = events(null, 10);
        String idempotencyKey = UUID.randomUUID().toString();
        try {
            // Ids given by the client, five of them twice in the same request; then the whole request retried.
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ids.add("given-" + i + "-" + UUID.randomUUID());
            }
            List<String> sent = new ArrayList<>(ids);
            sent.addAll(ids.subList(0, 5));
            withIds = events(sent, sent.size());
            expected.addAll(ids);
            assertThat(post(first, key, withIds, null).statusCode()).isEqualTo(202);
            assertThat(post(first, key, withIds, null).statusCode()).isEqualTo(202);
            // No ids, an Idempotency-Key: the ids come from the key.
            HttpResponse<String> keyed = post(first, key, withoutIds, idempotencyKey);
            assertThat(keyed.statusCode()).isEqualTo(202);
            JSON.readTree(keyed.body()).path("event_ids").forEach(id -> expected.add(id.asText()));
        } finally {
            first.close();
        }

        // A second API process: a dead one left a request in flight after producing part of it.
        String abandonedKey = UUID.randomUUID().toString();
        String abandoned = events(null, 8);
        JsonNode abandonedBody = JSON.readTree(abandoned);
        byte[] fingerprint = IdempotencyKey.fingerprint(abandonedBody);
        new IdempotencyKey(abandonedKey).fillMissingEventIds(tenant.id(), abandonedBody);
        pipeline.stack.db().inTenant(tenant.id(), tx -> tx.update("""
                INSERT INTO pulse.idempotency_keys (tenant_id, idempotency_key, request_hash, created_at)
                VALUES (?, ?, ?, now() - interval '10 minutes')""", tenant.id(), abandonedKey, fingerprint));
        produceAsTheDeadApiDid(pipeline, tenant.id(), abandonedBody, 3);

        IngestApi second = IngestApi.start(ApiConfig.from(pipeline.stack.settings()));
        try {
            assertThat(post(second, key, withIds, null).statusCode()).isEqualTo(202);
            HttpResponse<String> replay = post(second, key, withoutIds, idempotencyKey);
            assertThat(replay.headers().firstValue("Idempotent-Replayed")).contains("true");
            HttpResponse<String> takenOver = post(second, key, abandoned, abandonedKey);
            assertThat(takenOver.statusCode()).as(takenOver.body()).isEqualTo(202);
            JSON.readTree(takenOver.body()).path("event_ids").forEach(id -> expected.add(id.asText()));
        } finally {
            second.close();
        }

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> eventIds(pipeline, tenant.id()).size() >= expected.size());
        List<String> stored = eventIds(pipeline, tenant.id());
        assertThat(stored).as("0 duplicate ids").doesNotHaveDuplicates();
        assertThat(stored).as("0 missing ids").containsExactlyInAnyOrderElementsOf(expected);
    }

    static String events(List<String> ids, int count) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = ids == null ? "" : "\"event_id\": \"" + ids.get(i) + "\", ";
            events.add("{\"dataset\": \"clicks\", " + id + "\"data\": {\"page\": \"/" + i + "\"}}");
        }
        return "[" + String.join(", ", events) + "]";
    }

    static HttpResponse<String> post(IngestApi api, String key, String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first {@code count} events of the body, as the API produces them: keyed by id, with the tenant header. */
    static void produceAsTheDeadApiDid(PipelineFixture pipeline, TenantId tenant, JsonNode body, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.stack.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                JsonNode event = body.get(i);
                String id = event.path("event_id").asText();
                Instant now = Instant.now();
                byte[] value = new EventEnvelope("clicks", id, now, now, event.path("data")).toBytes();
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.raw(tenant), id.getBytes(StandardCharsets.UTF_8), value);
                record.headers().add(Topics.TENANT_HEADER, tenant.toString().getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
            }
        }
    }

    static List<String> eventIds(PipelineFixture pipeline, TenantId tenant) {
        return PipelineFixture.eventIds(pipeline.stack.catalog(), tenant, "clicks");
    }
}
