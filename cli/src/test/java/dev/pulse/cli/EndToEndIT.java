package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One event end to end through every real hop: HTTP -> Kafka -> worker -> Iceberg -> DuckDB
 * preview, for two tenants that each must see exactly their own events.
 */
class EndToEndIT {
    static PipelineFixture pipeline;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    record Tenant(String slug, String id, String key) {
    }

    @BeforeAll
    static void start() throws Exception {
        pipeline = PipelineFixture.shared();
    }

    static Tenant newTenant(String dataset) {
        String slug = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode tenant = pipeline.operator.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", slug));
        ObjectNode schema = OperatorClient.JSON.createObjectNode().put("name", "page-view");
        schema.set("definition", DevCommand.DemoTenant.demoSchema());
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/schemas", schema);
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/datasets", OperatorClient.JSON.createObjectNode().put("slug", dataset).put("schema", "page-view"));
        ObjectNode keyRequest = OperatorClient.JSON.createObjectNode();
        keyRequest.putArray("scopes").add("ingest").add("query");
        String key = pipeline.operator.post("/admin/v1/tenants/" + slug + "/keys", keyRequest).path("key").asText();
        return new Tenant(slug, tenant.path("id").asText(), key);
    }

    static HttpResponse<String> postEvents(Tenant tenant, ArrayNode events) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + "/v1/events"))
                .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(events.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> preview(Tenant asTenant, String dataset) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.queryUrl() + "/v1/datasets/" + dataset + "/preview?limit=1000"))
                .header("Authorization", "Bearer " + asTenant.key()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Set<String> previewEventIds(Tenant asTenant, String dataset) throws Exception {
        HttpResponse<String> response = preview(asTenant, dataset);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Set<String> ids = new HashSet<>();
        OperatorClient.JSON.readTree(response.body()).path("rows").forEach(row -> ids.add(row.path("event_id").asText()));
        return ids;
    }

    static ArrayNode events(String prefix, int count) {
        ArrayNode events = OperatorClient.JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            ObjectNode event = events.addObject().put("dataset", "page-views").put("event_id", prefix + "-" + i)
                    .put("timestamp", "2026-11-24T10:00:0" + (i % 10) + "Z");
            event.putObject("data").put("url", "/" + prefix + "/" + i).put("user_id", "u-" + i).put("duration_ms", i);
        }
        return events;
    }

    @Test
    void eachTenantsPreviewShowsExactlyItsOwnEvents() throws Exception {
        Tenant a = newTenant("page-views");
        Tenant b = newTenant("page-views");
        assertThat(postEvents(a, events("a", 7)).statusCode()).isEqualTo(202);
        assertThat(postEvents(b, events("b", 5)).statusCode()).isEqualTo(202);

        Set<String> expectedA = new HashSet<>();
        events("a", 7).forEach(e -> expectedA.add(e.path("event_id").asText()));
        Set<String> expectedB = new HashSet<>();
        events("b", 5).forEach(e -> expectedB.add(e.path("event_id").asText()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(previewEventIds(a, "page-views")).isEqualTo(expectedA));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(previewEventIds(b, "page-views")).isEqualTo(expectedB));

        JsonNode previewA = OperatorClient.JSON.readTree(preview(a, "page-views").body());
        List<String> columns = new ArrayList<>();
        previewA.path("columns").forEach(c -> columns.add(c.path("name").asText()));
        assertThat(columns).startsWith("event_id", "event_time", "received_at").contains("url", "user_id", "duration_ms");
        assertThat(previewA.path("snapshot_id").isNumber()).isTrue();
        // newest first
        assertThat(previewA.path("rows").get(0).path("event_time").asText())
                .isGreaterThanOrEqualTo(previewA.path("rows").get(previewA.path("rows").size() - 1).path("event_time").asText());
    }

    @Test
    void anotherTenantsDatasetSlugIsNotFound() throws Exception {
        Tenant a = newTenant("orders-a");
        Tenant b = newTenant("page-views");
        HttpResponse<String> asB = preview(b, "orders-a");
        HttpResponse<String> unknown = preview(b, "no-such-dataset");
        assertThat(asB.statusCode()).isEqualTo(404);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(asB.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(OperatorClient.JSON.readTree(asB.body()).path("type").asText())
                .isEqualTo(OperatorClient.JSON.readTree(unknown.body()).path("type").asText());
        // and B cannot post into it either
        ArrayNode intoA = OperatorClient.JSON.createArrayNode();
        intoA.addObject().put("dataset", "orders-a").putObject("data").put("url", "/x");
        assertThat(postEvents(b, intoA).statusCode()).isEqualTo(404);
        assertThat(previewEventIds(a, "orders-a")).isEmpty();
    }

    @Test
    void anInvalidEventLandsInItsOwnTenantsDeadLetterTopicWithAReason() throws Exception {
        Tenant a = newTenant("page-views");
        Tenant b = newTenant("page-views");
        ArrayNode batch = events("ok", 2);
        ObjectNode bad = batch.addObject().put("dataset", "page-views").put("event_id", "bad-1");
        bad.putObject("data").put("url", "/x").put("duration_ms", "not a number");
        assertThat(postEvents(a, batch).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(previewEventIds(a, "page-views")).containsExactlyInAnyOrder("ok-0", "ok-1"));
        List<ConsumerRecord<byte[], byte[]>> dlqA = pipeline.readAll(Topics.dlq(TenantId.parse(a.id())), 1);
        assertThat(dlqA).hasSize(1);
        ConsumerRecord<byte[], byte[]> record = dlqA.getFirst();
        assertThat(header(record, "pulse-error-code")).isEqualTo("schema-violation");
        assertThat(header(record, "pulse-error-message")).contains("duration_ms");
        assertThat(header(record, "pulse-source-topic")).isEqualTo(Topics.raw(TenantId.parse(a.id())));
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).contains("bad-1");
        assertThat(pipeline.readAll(Topics.dlq(TenantId.parse(b.id())), 0)).isEmpty();
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void theCliVerbsProvisionATenantThatCanIngest() throws Exception {
        String slug = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        PulseProcess.Result tenant = PulseProcess.run(pipeline.envFile, "tenant", "create", slug, "--json");
        assertThat(tenant.exitCode()).as(tenant.stderr()).isZero();
        JsonNode tenantJson = OperatorClient.JSON.readTree(tenant.stdout());
        assertThat(tenantJson.path("slug").asText()).isEqualTo(slug);
        assertThat(tenantJson.path("status").asText()).isEqualTo("active");

        PulseProcess.Result duplicate = PulseProcess.run(pipeline.envFile, "tenant", "create", slug);
        assertThat(duplicate.exitCode()).isEqualTo(1);
        assertThat(duplicate.stderr()).contains("already exists");

        java.nio.file.Path schemaFile = java.nio.file.Files.createTempFile("schema", ".json");
        java.nio.file.Files.writeString(schemaFile, DevCommand.DemoTenant.demoSchema().toString());
        PulseProcess.Result schema = PulseProcess.run(pipeline.envFile, "schema", "register", "--tenant", slug, "page-view", schemaFile.toString(), "--json");
        assertThat(schema.exitCode()).as(schema.stderr()).isZero();
        assertThat(OperatorClient.JSON.readTree(schema.stdout()).path("version").asInt()).isEqualTo(1);

        PulseProcess.Result dataset = PulseProcess.run(pipeline.envFile, "dataset", "create", "--tenant", slug, "page-views", "--schema", "page-view", "--json");
        assertThat(dataset.exitCode()).as(dataset.stderr()).isZero();

        PulseProcess.Result key = PulseProcess.run(pipeline.envFile, "key", "create", "--tenant", slug, "--scopes", "ingest,query", "--json");
        assertThat(key.exitCode()).as(key.stderr()).isZero();
        String token = OperatorClient.JSON.readTree(key.stdout()).path("key").asText();
        assertThat(token).startsWith("pulse_");

        Tenant t = new Tenant(slug, tenantJson.path("id").asText(), token);
        assertThat(postEvents(t, events("cli", 3)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(previewEventIds(t, "page-views")).hasSize(3));

        PulseProcess.Result badUsage = PulseProcess.run(pipeline.envFile, "key", "create", "--tenant", slug);
        assertThat(badUsage.exitCode()).isEqualTo(2);
        PulseProcess.Result readable = PulseProcess.run(pipeline.envFile, "tenant", "show", slug);
        assertThat(readable.exitCode()).isZero();
        assertThat(readable.stdout()).contains(slug).contains("active");
    }

}
