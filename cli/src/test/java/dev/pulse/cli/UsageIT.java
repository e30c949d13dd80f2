package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.usage.UsageMinutes;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.usage.UsageMetering;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Usage on the whole pipeline (ingest-api, worker, the usage topology, PostgreSQL): what a tenant
 * sent, what the edge refused, what was dead-lettered and what landed, read back through
 * {@code GET /v1/usage} (manage key), the operator's route and {@code pulse usage}; and a tenant's
 * key never reads another tenant's usage.
 */
class UsageIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static PipelineFixture pipeline;
    static UsageMetering metering;

    record Tenant(String slug, String id, String key, String ingestOnlyKey) {
    }

    @BeforeAll
    static void start() throws Exception {
        pipeline = PipelineFixture.shared();
        metering = UsageMetering.start(WorkerConfig.from(pipeline.stack.settings(Map.of(
                PulseKeys.USAGE_STATE_DIR.name(), Files.createTempDirectory("pulse-usage-cli-it").toString()))));
    }

    @AfterAll
    static void stop() {
        metering.close();
    }

    static Tenant newTenant() {
        String slug = "use-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode tenant = pipeline.operator.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", slug));
        ObjectNode schema = OperatorClient.JSON.createObjectNode().put("name", "page-view");
        schema.set("definition", DevCommand.DemoTenant.demoSchema());
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/schemas", schema);
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/datasets", OperatorClient.JSON.createObjectNode().put("slug", "page-views").put("schema", "page-view"));
        ObjectNode keyRequest = OperatorClient.JSON.createObjectNode();
        keyRequest.putArray("scopes").add("ingest").add("query").add("manage");
        String key = pipeline.operator.post("/admin/v1/tenants/" + slug + "/keys", keyRequest).path("key").asText();
        ObjectNode ingestOnly = OperatorClient.JSON.createObjectNode();
        ingestOnly.putArray("scopes").add("ingest");
        String ingestKey = pipeline.operator.post("/admin/v1/tenants/" + slug + "/keys", ingestOnly).path("key").asText();
        return new Tenant(slug, tenant.path("id").asText(), key, ingestKey);
    }

    static HttpResponse<String> post(Tenant tenant, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + "/v1/events"))
                .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path, String bearer, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + path)).header("Authorization", "Bearer " + bearer);
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static ArrayNode events(String prefix, int count, boolean valid) {
        ArrayNode events = OperatorClient.JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            ObjectNode event = events.addObject().put("dataset", "page-views").put("event_id", prefix + "-" + i);
            ObjectNode data = event.putObject("data").put("url", "/" + prefix + "/" + i);
            if (valid) {
                data.put("duration_ms", i);
            } else {
                data.put("duration_ms", "not a number");
            }
        }
        return events;
    }

    static JsonNode usage(Tenant tenant) throws Exception {
        HttpResponse<String> response = get("/v1/usage?granularity=day", tenant.key(), Map.of());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return OperatorClient.JSON.readTree(response.body());
    }

    static long rowsInTable(Tenant tenant) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.queryUrl() + "/v1/datasets/page-views/preview?limit=1000"))
                .header("Authorization", "Bearer " + tenant.key()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Set<String> ids = new HashSet<>();
        OperatorClient.JSON.readTree(response.body()).path("rows").forEach(row -> ids.add(row.path("event_id").asText()));
        return ids.size();
    }

    @Test
    void usageCountsWhatTheEdgeAcceptedAndRefusedWhatWasDeadLetteredAndWhatLanded() throws Exception {
        Tenant a = newTenant();
        ArrayNode first = events("ok", 6, true);
        ArrayNode mixed = events("more", 3, true);
        mixed.addAll(events("bad", 2, false));
        assertThat(post(a, first.toString()).statusCode()).isEqualTo(202);
        assertThat(post(a, mixed.toString()).statusCode()).isEqualTo(202);
        ArrayNode unknown = events("nowhere", 1, true);
        ((ObjectNode) unknown.get(0)).put("dataset", "no-such-dataset");
        assertThat(post(a, unknown.toString()).statusCode()).isEqualTo(404);
        assertThat(post(a, "{not json").statusCode()).isEqualTo(400);
        assertThat(post(a, "[]").statusCode()).isEqualTo(400);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode totals = usage(a).path("totals");
            assertThat(totals.path("events_accepted").asLong()).isEqualTo(11);
            assertThat(totals.path("requests_refused").toString()).isEqualTo("{\"400\":2,\"404\":1}");
            assertThat(totals.path("events_dead_lettered").toString()).isEqualTo("{\"schema-violation\":2}");
            assertThat(totals.path("rows_landed").toString()).isEqualTo("{\"page-views\":9}");
        });
        JsonNode usage = usage(a);
        // The bytes are the 11 envelopes as produced (dataset, event id, times, data): well over 50 bytes each.
        assertThat(usage.path("totals").path("bytes_accepted").asLong()).isGreaterThan(11L * 50);
        assertThat(rowsInTable(a)).isEqualTo(9);
        assertThat(usage.path("tenant_id").asText()).isEqualTo(a.id());
        assertThat(usage.path("periods")).hasSize(1);

        // Per minute, the minutes add up to the same totals.
        JsonNode minutes = OperatorClient.JSON.readTree(get("/v1/usage?granularity=minute&from=" + Instant.now().minus(Duration.ofHours(1))
                + "&to=" + Instant.now().plus(Duration.ofMinutes(5)), a.key(), Map.of()).body());
        long accepted = 0;
        for (JsonNode period : minutes.path("periods")) {
            accepted += period.path("events_accepted").asLong();
        }
        assertThat(accepted).isEqualTo(11);

        // The operator reads the same, over HTTP and with `pulse usage`.
        JsonNode operator = pipeline.operator.get("/admin/v1/tenants/" + a.slug() + "/usage?granularity=day");
        assertThat(operator.path("totals")).isEqualTo(usage.path("totals"));
        PulseProcess.Result cli = PulseProcess.run(pipeline.envFile, "usage", "--tenant", a.slug(), "--granularity", "day", "--json");
        assertThat(cli.exitCode()).as(cli.stderr()).isZero();
        assertThat(OperatorClient.JSON.readTree(cli.stdout()).path("totals")).isEqualTo(usage.path("totals"));
        PulseProcess.Result readable = PulseProcess.run(pipeline.envFile, "usage", "--tenant", a.slug());
        assertThat(readable.exitCode()).as(readable.stderr()).isZero();
        assertThat(readable.stdout()).contains("ROWS LANDED").contains("9 (page-views 9)").contains("total");
    }

    /** Dead letters replayed and dropped, counted by the replay's own transaction and by the drop (one record per dead letter). */
    @Test
    void usageCountsTheDeadLettersReplayedAndDropped() throws Exception {
        Tenant a = newTenant();
        assertThat(post(a, events("broken", 2, false).toString()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> OperatorClient.JSON.readTree(
                PulseProcess.run(pipeline.envFile, "dlq", "list", "--tenant", a.slug(), "--json").stdout()).path("counts").path("total").asInt() == 2);
        JsonNode listed = OperatorClient.JSON.readTree(PulseProcess.run(pipeline.envFile, "dlq", "list", "--tenant", a.slug(), "--json").stdout());
        String dropped = listed.path("samples").get(0).path("id").asText();
        String replayed = listed.path("samples").get(1).path("id").asText();
        PulseProcess.Result drop = PulseProcess.run(pipeline.envFile, "dlq", "drop", "--tenant", a.slug(), "--id", dropped, "--yes", "--json");
        assertThat(drop.exitCode()).as(drop.stderr()).isZero();
        assertThat(OperatorClient.JSON.readTree(drop.stdout()).path("dropped").asInt()).isEqualTo(1);
        PulseProcess.Result replay = PulseProcess.run(pipeline.envFile, "dlq", "replay", "--tenant", a.slug(), "--id", replayed,
                "--patch", "{\"duration_ms\": 7}", "--json");
        assertThat(replay.exitCode()).as(replay.stderr()).isZero();
        assertThat(OperatorClient.JSON.readTree(replay.stdout()).path("replayed").asInt()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode totals = usage(a).path("totals");
            assertThat(totals.path("events_dead_lettered").toString()).isEqualTo("{\"schema-violation\":2}");
            assertThat(totals.path("dead_letters_dropped").toString()).isEqualTo("{\"schema-violation\":1}");
            assertThat(totals.path("dead_letters_replayed").toString()).isEqualTo("{\"schema-violation\":1}");
            assertThat(totals.path("rows_landed").toString()).isEqualTo("{\"page-views\":1}");
        });
    }

    @Test
    void aTenantsKeyNeverReadsAnotherTenantsUsage() throws Exception {
        Tenant a = newTenant();
        Tenant b = newTenant();
        assertThat(post(a, events("a", 4, true).toString()).statusCode()).isEqualTo(202);
        assertThat(post(b, events("b", 1, true).toString()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(usage(a).path("totals").path("rows_landed").toString()).isEqualTo("{\"page-views\":4}");
            assertThat(usage(b).path("totals").path("rows_landed").toString()).isEqualTo("{\"page-views\":1}");
        });
        // B's key: only B's own usage, whatever it asks for.
        JsonNode own = usage(b);
        assertThat(own.path("tenant_id").asText()).isEqualTo(b.id());
        assertThat(own.path("totals").path("events_accepted").asLong()).isEqualTo(1);
        assertThat(get("/v1/usage?tenant=" + a.slug(), b.key(), Map.of()).statusCode()).isEqualTo(400);
        assertThat(get("/v1/usage?tenant_id=" + a.id(), b.key(), Map.of()).statusCode()).isEqualTo(400);
        assertThat(get("/v1/usage", b.key(), Map.of("X-Tenant-ID", a.id())).statusCode()).isEqualTo(403);
        // The operator's route for A is not B's key's to use; a key without manage scope reads nothing.
        HttpResponse<String> operatorRoute = get("/admin/v1/tenants/" + a.slug() + "/usage", b.key(), Map.of());
        assertThat(operatorRoute.statusCode()).isEqualTo(401);
        assertThat(operatorRoute.body()).doesNotContain(a.id());
        assertThat(get("/v1/usage", b.ingestOnlyKey(), Map.of()).statusCode()).isEqualTo(403);
        // The operator: an unknown tenant is 404.
        assertThat(get("/admin/v1/tenants/no-such-" + UUID.randomUUID().toString().substring(0, 6) + "/usage",
                pipeline.stack.settings().get(PulseKeys.OPERATOR_TOKEN), Map.of()).statusCode()).isEqualTo(404);
        // Under the storage: B's transaction sees no row of A's.
        Instant now = Instant.now();
        var rows = pipeline.stack.db().inTenant(TenantId.parse(b.id()),
                tx -> UsageMinutes.read(tx, now.minus(Duration.ofDays(1)), now.plus(Duration.ofHours(1)), UsageMinutes.Granularity.DAY));
        assertThat(rows).filteredOn(row -> row.metric().equals("events_accepted")).extracting(UsageMinutes.Row::count).containsExactly(1L);
        assertThat(rows).filteredOn(row -> row.metric().equals("rows_landed")).extracting(UsageMinutes.Row::count).containsExactly(1L);
    }

    @Test
    void badUsageQueriesAreRefusedWithAProblem() throws Exception {
        Tenant a = newTenant();
        for (String query : new String[] {"granularity=week", "from=yesterday", "from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z",
                "granularity=minute&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", "granularity=day&granularity=hour", "limit=3"}) {
            HttpResponse<String> response = get("/v1/usage?" + query, a.key(), Map.of());
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        }
    }
}
