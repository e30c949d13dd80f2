package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.testing.HostileInput;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The pipeline's promise as a property, on the real stack with the API and the worker running:
 * every event the API accepted with 202 ends in exactly one place — its tenant's table or its
 * tenant's dead-letter topic — never both, never neither, never twice. Batches of events with
 * valid envelopes and hostile data (generators in {@link HostileInput}; hostile envelopes are
 * {@code HostileEdgeIT}'s) go to two tenants; tries are bounded to stay under a minute.
 *
 * <p>The typed date-time field draws its hostile values from {@link HostileInput#dateTimeText()}:
 * values that parse but that the lake cannot hold (year +292278994) are the worker's to send to
 * the DLQ, and the worker must go on with everything else.
 */
class HostileEventsEndToEndIT {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final String SCHEMA = """
            {"type": "object", "properties": {"page": {"type": "string"}, "ms": {"type": "integer"},
             "at": {"type": "string", "format": "date-time"}, "ok": {"type": "boolean"}, "score": {"type": "number"},
             "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["page"]}""";
    static final List<String> FIELDS = List.of("page", "ms", "at", "ok", "score", "tags");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final AtomicInteger BATCH = new AtomicInteger();

    record Tenant(String slug, TenantId id, String key, KafkaConsumer<byte[], byte[]> dlq, Map<String, Integer> dead) {
    }

    static PipelineFixture pipeline;
    /**
     * An API whose event-time bounds are wide open (floor 0001, skew beyond 9999), so the
     * generated timestamps of years 1 to 9999 reach the worker as before the bounds existed; the
     * default bounds are {@code EnvelopeIT}'s (ingest-api).
     */
    static dev.pulse.api.IngestApi wideApi;
    static List<Tenant> tenants;

    @BeforeContainer
    static void start() throws Exception {
        pipeline = PipelineFixture.shared();
        wideApi = dev.pulse.api.IngestApi.start(dev.pulse.api.ApiConfig.from(pipeline.stack.settings(Map.of(
                dev.pulse.schemas.config.PulseKeys.EVENT_TIME_FLOOR.name(), "0001-01-01T00:00:00Z",
                dev.pulse.schemas.config.PulseKeys.EVENT_TIME_MAX_SKEW.name(), "P3000000D"))));
        tenants = List.of(newTenant(), newTenant());
    }

    @AfterContainer
    static void stop() {
        tenants.forEach(t -> t.dlq().close());
        wideApi.close();
    }

    static Tenant newTenant() throws Exception {
        String slug = "fz-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode tenant = pipeline.operator.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", slug));
        ObjectNode schema = OperatorClient.JSON.createObjectNode().put("name", "clicks");
        schema.set("definition", OperatorClient.JSON.readTree(SCHEMA));
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/schemas", schema);
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/datasets", OperatorClient.JSON.createObjectNode().put("slug", "clicks").put("schema", "clicks"));
        ObjectNode keyRequest = OperatorClient.JSON.createObjectNode();
        keyRequest.putArray("scopes").add("ingest").add("query");
        String key = pipeline.operator.post("/admin/v1/tenants/" + slug + "/keys", keyRequest).path("key").asText();
        TenantId id = TenantId.parse(tenant.path("id").asText());
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.stack.bootstrap());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = dlq.partitionsFor(Topics.dlq(id)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        dlq.assign(partitions);
        dlq.seekToBeginning(partitions);
        return new Tenant(slug, id, key, dlq, new HashMap<>());
    }

    @Property(tries = 20)
    void everyAcceptedEventEndsInExactlyOneOfItsTableOrItsDeadLetters(@ForAll("batches") ArrayNode batch, @ForAll boolean second)
            throws Exception {
        Tenant tenant = tenants.get(second ? 1 : 0);
        String prefix = "b" + BATCH.incrementAndGet() + "-";
        for (int i = 0; i < batch.size(); i++) {
            // Unique ids across and within tries (a producer may repeat an id; Pulse does not
            // deduplicate, so a repeated id would make "exactly one place" ambiguous here).
            JsonNode event = batch.get(i);
            if (event.isObject() && event.path("event_id").isTextual()) {
                ((ObjectNode) event).put("event_id", prefix + i + "-" + event.path("event_id").textValue());
            }
        }
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wideApi.port() + "/v1/events"))
                .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(batch.toString())).build(), HttpResponse.BodyHandlers.ofString());
        // Valid envelopes: the API must accept every batch, whatever the data holds.
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        List<String> accepted = new ArrayList<>();
        OperatorClient.JSON.readTree(response.body()).path("event_ids").forEach(id -> accepted.add(id.asText()));
        assertThat(accepted).hasSize(batch.size()).doesNotHaveDuplicates();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Map<String, Integer> stored = tableCounts(tenant);
            readDeadLetters(tenant);
            for (String id : accepted) {
                assertThat(stored.getOrDefault(id, 0) + tenant.dead().getOrDefault(id, 0)).as("places of event %s", id).isEqualTo(1);
            }
        });
        Statistics.label("outcome").collect(accepted.stream().anyMatch(tenant.dead()::containsKey) ? "some dead letters" : "all stored");
    }

    static Map<String, Integer> tableCounts(Tenant tenant) throws Exception {
        HttpResponse<String> preview = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.queryUrl() + "/v1/datasets/clicks/preview?limit=10000"))
                .header("Authorization", "Bearer " + tenant.key()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        Map<String, Integer> counts = new HashMap<>();
        OperatorClient.JSON.readTree(preview.body()).path("rows").forEach(row -> counts.merge(row.path("event_id").asText(), 1, Integer::sum));
        return counts;
    }

    static void readDeadLetters(Tenant tenant) throws Exception {
        for (ConsumerRecord<byte[], byte[]> record : tenant.dlq().poll(Duration.ofMillis(100))) {
            tenant.dead().merge(OperatorClient.JSON.readTree(record.value()).path("event_id").asText(), 1, Integer::sum);
        }
    }

    static JsonNode array(List<? extends JsonNode> items) {
        ArrayNode array = JSON.arrayNode();
        items.forEach(array::add);
        return array;
    }

    @Provide
    Arbitrary<ArrayNode> batches() {
        Arbitrary<ObjectNode> data = HostileInput.object(FIELDS, List.of(
                HostileInput.member(HostileInput.hostileText().map(JSON::textNode), HostileInput.hostileScalar(), HostileInput.plainValueOfAnyType()),
                HostileInput.member(Arbitraries.longs().map(JSON::numberNode), HostileInput.hostileScalar(), HostileInput.plainValueOfAnyType()),
                // Date-times the lake cannot hold (year +292278994, nanoseconds, offsets past year 9999)
                // included: the worker dead-letters them (validate/write stage), it never stalls.
                HostileInput.member(HostileInput.ordinaryDateTimeText().map(JSON::textNode), HostileInput.dateTimeText().map(JSON::textNode),
                        HostileInput.plainValueOfAnyType()),
                HostileInput.member(Arbitraries.of(true, false).map(JSON::booleanNode), HostileInput.hostileScalar(), HostileInput.plainValueOfAnyType()),
                HostileInput.member(Arbitraries.doubles().map(JSON::numberNode), HostileInput.hostileScalar(), HostileInput.plainValueOfAnyType()),
                // Hostile values, but no property name over the parser's 50,000 characters: that
                // request is refused (400), and this property is about accepted events.
                HostileInput.member(HostileInput.hostileText().map(JSON::textNode).list().ofMaxSize(3).map(HostileEventsEndToEndIT::array),
                        HostileInput.hostileScalar().list().ofMaxSize(3).map(HostileEventsEndToEndIT::array), HostileInput.plainValueOfAnyType())));
        return HostileInput.acceptableEvent("clicks", () -> data).list().ofMinSize(1).ofMaxSize(6).map(events -> {
            ArrayNode array = JSON.arrayNode();
            events.forEach(array::add);
            return array;
        });
    }
}
