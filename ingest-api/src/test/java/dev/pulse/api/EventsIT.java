package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.naming.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /v1/events against a real server, PostgreSQL and Kafka broker, with the default limits. */
class EventsIT {
    static final String SCHEMA = """
            {"type": "object", "properties": {"page": {"type": "string"}, "ms": {"type": "integer"}}, "required": ["page"]}""";

    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    static TenantRecord tenantA;
    static TenantRecord tenantB;
    static String keyA;
    static String keyB;
    static String queryOnlyKeyA;

    @BeforeAll
    static void start() throws Exception {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings()));
        http = new ApiClient(api.port());
        tenantA = stack.newTenant();
        tenantB = stack.newTenant();
        for (TenantRecord t : List.of(tenantA, tenantB)) {
            stack.schemas().register(t.id(), "clicks", ApiClient.MAPPER.readTree(SCHEMA));
        }
        stack.datasets().create(tenantA.id(), "clicks", "clicks", null, Partitioning.DAY);
        stack.datasets().create(tenantB.id(), "views", "clicks", null, Partitioning.DAY);
        keyA = stack.keys().create(tenantA.id(), "a", Set.of(Scope.INGEST), null).token();
        keyB = stack.keys().create(tenantB.id(), "b", Set.of(Scope.INGEST), null).token();
        queryOnlyKeyA = stack.keys().create(tenantA.id(), "q", Set.of(Scope.QUERY), null).token();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static List<ConsumerRecord<byte[], byte[]>> recordsOf(TenantRecord tenant) {
        return RawTopic.readAll(stack.bootstrap(), tenant.id());
    }

    static List<String> keysOnTopic(TenantRecord tenant) {
        return recordsOf(tenant).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    }

    static ConsumerRecord<byte[], byte[]> awaitRecord(TenantRecord tenant, String eventId) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> recordsOf(tenant).stream().filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(eventId)).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
    }

    static void assertProblem(ApiClient.Response response, int status, String typeSuffix) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("type").asText()).isEqualTo("https://pulse.dev/problems/" + typeSuffix);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("detail").asText()).isNotBlank();
    }

    static String uniqueId() {
        return "evt-" + UUID.randomUUID();
    }

    @Test
    void oneEventIsAcknowledgedByTheBrokerBeforeThe202AndCarriesTheTenantHeaderAndEnvelope() {
        String id = uniqueId();
        var response = http.ingest(keyA, """
                {"dataset": "clicks", "event_id": "%s", "timestamp": "2024-05-01T12:00:00+02:00", "data": {"page": "/home", "ms": 12}}"""
                .formatted(id));

        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(response.json().path("accepted").asInt()).isEqualTo(1);
        assertThat(response.json().path("event_ids").get(0).asText()).isEqualTo(id);
        ConsumerRecord<byte[], byte[]> record = awaitRecord(tenantA, id);
        assertThat(record.topic()).isEqualTo(Topics.raw(tenantA.id()));
        assertThat(new String(record.headers().lastHeader(Topics.TENANT_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo(tenantA.id().toString());
        EventEnvelope envelope = EventEnvelope.fromBytes(ApiClient.MAPPER, record.value());
        assertThat(envelope.dataset()).isEqualTo("clicks");
        assertThat(envelope.eventId()).isEqualTo(id);
        assertThat(envelope.eventTime()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(envelope.receivedAt()).isAfter(Instant.now().minusSeconds(120));
        assertThat(envelope.data().path("page").asText()).isEqualTo("/home");
    }

    @Test
    void anArrayIsAcceptedAndEventIdsAreGeneratedWhenAbsent() {
        var response = http.ingest(keyA, """
                [{"dataset": "clicks", "data": {"page": "/a"}},
                 {"dataset": "clicks", "data": {"page": "/b"}, "event_id": null},
                 {"dataset": "clicks", "data": {"page": "/c"}}]""");

        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(response.json().path("accepted").asInt()).isEqualTo(3);
        List<String> ids = new java.util.ArrayList<>();
        response.json().path("event_ids").forEach(id -> ids.add(id.asText()));
        assertThat(ids).hasSize(3).doesNotHaveDuplicates().allSatisfy(id -> UUID.fromString(id));
        for (String id : ids) {
            EventEnvelope envelope = EventEnvelope.fromBytes(ApiClient.MAPPER, awaitRecord(tenantA, id).value());
            // Without a timestamp the event time is the time the API received it.
            assertThat(envelope.eventTime()).isEqualTo(envelope.receivedAt());
        }
    }

    @Test
    void aGzipEncodedBodyIsAccepted() throws IOException {
        String id = uniqueId();
        byte[] body = gzip("""
                {"dataset": "clicks", "event_id": "%s", "data": {"page": "/gz"}}""".formatted(id).getBytes(StandardCharsets.UTF_8));
        var response = http.post("/v1/events", body, "Authorization", "Bearer " + keyA,
                "Content-Type", "application/json; charset=utf-8", "Content-Encoding", "gzip");

        assertThat(response.status()).as(response.body()).isEqualTo(202);
        awaitRecord(tenantA, id);
    }

    @Test
    void aTenantIdInTheEnvelopeIsRefusedAndInDataItLandsInTheKeysTenantOnly() {
        // The envelope is strict (issue 12): a tenant_id member is a 400 naming it, never a way to another tenant.
        String refused = uniqueId();
        var response = http.ingest(keyA, """
                {"tenant_id": "%s", "dataset": "clicks", "event_id": "%s", "data": {"page": "/x"}}""".formatted(tenantB.id(), refused));
        assertProblem(response, 400, "invalid-events");
        assertThat(response.json().path("errors").get(0).path("field").asText()).isEqualTo("tenant_id");

        String id = uniqueId();
        response = http.ingest(keyA, """
                {"dataset": "clicks", "event_id": "%s", "data": {"page": "/x", "tenant_id": "%s"}}""".formatted(id, tenantB.id()));
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        awaitRecord(tenantA, id);
        assertThat(keysOnTopic(tenantB)).doesNotContain(id, refused);
        assertThat(keysOnTopic(tenantA)).doesNotContain(refused);
    }

    @Test
    void aMatchingTenantHeaderIsAccepted() {
        var response = http.ingest(keyA, """
                {"dataset": "clicks", "data": {"page": "/h"}}""", "X-Tenant-ID", tenantA.id().toString());
        assertThat(response.status()).as(response.body()).isEqualTo(202);
    }

    @Test
    void nothingIsProducedWhenOneEventOfABatchIsInvalid() {
        String good = uniqueId();
        String alsoGood = uniqueId();
        var response = http.ingest(keyA, """
                [{"dataset": "clicks", "event_id": "%s", "data": {"page": "/1"}},
                 {"dataset": "clicks", "event_id": "%s", "data": "not an object"},
                 {"dataset": "clicks", "event_id": "%s", "data": {"page": "/3"}}]""".formatted(good, uniqueId(), alsoGood));

        assertProblem(response, 400, "invalid-events");
        // A later accepted event proves the topic was read after the rejected request finished.
        String marker = uniqueId();
        assertThat(http.ingest(keyA, "{\"dataset\": \"clicks\", \"event_id\": \"" + marker + "\", \"data\": {}}").status()).isEqualTo(202);
        awaitRecord(tenantA, marker);
        assertThat(keysOnTopic(tenantA)).doesNotContain(good, alsoGood);
    }

    @Test
    void malformedJsonIs400SayingWhereItFailed() {
        var response = http.ingest(keyA, "{\"dataset\": \"clicks\",\n \"data\": {\"page\": }");
        assertProblem(response, 400, "malformed-json");
        assertThat(response.detail()).contains("line 2");
    }

    @Test
    void badEnvelopesAre400ListingEachEventIndexAndField() {
        var response = http.ingest(keyA, """
                [{"data": {"page": "/missing-dataset"}},
                 {"dataset": "clicks", "data": [1, 2]},
                 {"dataset": "clicks", "timestamp": "yesterday", "data": {}},
                 {"dataset": "clicks", "timestamp": "2024-05-01T12:00:00", "data": {}},
                 {"dataset": "clicks", "event_id": "has spaces", "data": {}},
                 {"dataset": "clicks", "event_id": "%s", "data": {}},
                 {"dataset": "Not A Slug", "data": {}},
                 {"dataset": "clicks"},
                 42,
                 {"dataset": "clicks", "data": {"page": "/fine"}}]""".formatted("x".repeat(129)));

        assertProblem(response, 400, "invalid-events");
        List<String> errors = new java.util.ArrayList<>();
        response.json().path("errors").forEach(e -> errors.add(e.path("index").asInt() + ":" + e.path("field").asText()));
        assertThat(errors).containsExactly("0:dataset", "1:data", "2:timestamp", "3:timestamp", "4:event_id", "5:event_id",
                "6:dataset", "7:data", "8:");
    }

    @Test
    void nestingDeeperThanTheLimitIs400() {
        String deep = "{\"a\":".repeat(70) + "1" + "}".repeat(70);
        var response = http.ingest(keyA, "{\"dataset\": \"clicks\", \"data\": " + deep + "}");
        assertProblem(response, 400, "json-too-deep");
        assertThat(response.detail()).contains("64");
    }

    @Test
    void anEmptyArrayIs400() {
        assertProblem(http.ingest(keyA, "[]"), 400, "empty-batch");
    }

    @Test
    void aBodyThatIsNeitherAnObjectNorAnArrayIs400() {
        assertProblem(http.ingest(keyA, "\"clicks\""), 400, "invalid-body");
    }

    @Test
    void requestsWithoutAValidKeyAre401WithAChallenge() {
        String body = "{\"dataset\": \"clicks\", \"data\": {}}";
        String keyId = stack.keys().keyIds(tenantA.id()).getFirst();
        List<ApiClient.Response> responses = List.of(
                http.post("/v1/events", body, "Content-Type", "application/json"),
                http.post("/v1/events", body, "Content-Type", "application/json", "Authorization", "Basic dXNlcjpwYXNz"),
                http.ingest("not-a-pulse-key", body),
                http.ingest("pulse_0123456789abcdef_" + "A".repeat(43), body),
                http.ingest("pulse_" + keyId + "_" + "B".repeat(43), body));
        for (var response : responses) {
            assertProblem(response, 401, "unauthorized");
        }
        // The RFC 6750 challenge, the same in every service: no error code without a bearer
        // credential, invalid_token for one that is not a live key.
        assertThat(responses.get(0).headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"pulse\"");
        assertThat(responses.get(1).headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"pulse\"");
        for (var response : responses.subList(2, responses.size())) {
            assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"pulse\", error=\"invalid_token\"");
        }
    }

    @Test
    void aKeyWithoutTheIngestScopeIs403() {
        var response = http.ingest(queryOnlyKeyA, "{\"dataset\": \"clicks\", \"data\": {}}");
        assertProblem(response, 403, "insufficient-scope");
        assertThat(response.detail()).contains("ingest");
    }

    @Test
    void aTenantHeaderNamingAnotherTenantIs403() {
        var response = http.ingest(keyA, "{\"dataset\": \"clicks\", \"data\": {}}", "X-Tenant-ID", tenantB.id().toString());
        assertProblem(response, 403, "tenant-mismatch");
    }

    @Test
    void aSuspendedTenantsKeyIs403() {
        TenantRecord suspended = stack.newTenant();
        String key = stack.keys().create(suspended.id(), "s", Set.of(Scope.INGEST), null).token();
        stack.db().inTenant(suspended.id(), tx -> tx.update("UPDATE pulse.tenants SET status = ?", TenantStatus.SUSPENDED.wireName()));

        var response = http.ingest(key, "{\"dataset\": \"clicks\", \"data\": {}}");
        assertProblem(response, 403, "tenant-suspended");
        assertThat(response.detail()).contains("suspended");
    }

    @Test
    void anUnknownDatasetIs404NamingIt() {
        var response = http.ingest(keyA, """
                [{"dataset": "clicks", "data": {}}, {"dataset": "no-such-dataset", "data": {}}]""");
        assertProblem(response, 404, "dataset-not-found");
        assertThat(response.detail()).contains("no-such-dataset").doesNotContain("'clicks'");
    }

    @Test
    void anotherTenantsDatasetIsExactlyAsUnknown() {
        var theirs = http.ingest(keyB, "{\"dataset\": \"clicks\", \"data\": {}}");
        var nobodys = http.ingest(keyB, "{\"dataset\": \"nobody-has-it\", \"data\": {}}");
        assertProblem(theirs, 404, "dataset-not-found");
        assertProblem(nobodys, 404, "dataset-not-found");
        assertThat(theirs.detail().replace("clicks", "X")).isEqualTo(nobodys.detail().replace("nobody-has-it", "X"));
    }

    @Test
    void aContentTypeOtherThanJsonIs415() {
        String body = "{\"dataset\": \"clicks\", \"data\": {}}";
        assertProblem(http.post("/v1/events", body, "Authorization", "Bearer " + keyA, "Content-Type", "text/plain"),
                415, "unsupported-media-type");
        assertProblem(http.post("/v1/events", body, "Authorization", "Bearer " + keyA), 415, "unsupported-media-type");
        assertProblem(http.post("/v1/events", body, "Authorization", "Bearer " + keyA, "Content-Type", "application/json",
                "Content-Encoding", "br"), 415, "unsupported-media-type");
    }

    @Test
    void anUnknownRouteIsAProblem404AndAWrongMethodA405() {
        assertProblem(http.get("/v1/nothing-here"), 404, "route-not-found");
        assertProblem(http.get("/v1/events"), 405, "method-not-allowed");
    }

    @Test
    void healthIsOkWhileTheDatabaseIsReachable() {
        var response = http.get("/healthz");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("status").asText()).isEqualTo("ok");
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }
}
