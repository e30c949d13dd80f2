package dev.pulse.api;

import static dev.pulse.api.EventsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The strict envelope over HTTP on the real stack: exactly four members, a bounded event time,
 * and NDJSON bodies with the same limits and per-line errors. Two servers: one with the default
 * time bounds, one with small limits for the NDJSON limits.
 */
class EnvelopeIT {
    static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"page\": {\"type\": \"string\"}}}";
    static final String NDJSON = "application/x-ndjson";
    static final int MAX_EVENTS = 5;
    static final int MAX_EVENT = 2048;
    static final int MAX_BODY = 16 * 1024;

    static TestStack stack;
    static IngestApi api;
    static IngestApi small;
    static ApiClient http;
    static ApiClient smallHttp;
    static TestStack.TenantWithDataset tenant;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of())));
        small = IngestApi.start(ApiConfig.from(stack.settings(Map.of(
                PulseKeys.MAX_BODY_BYTES.name(), Integer.toString(MAX_BODY),
                PulseKeys.MAX_EVENT_BYTES.name(), Integer.toString(MAX_EVENT),
                PulseKeys.MAX_EVENTS_PER_REQUEST.name(), Integer.toString(MAX_EVENTS),
                PulseKeys.EVENT_TIME_MAX_SKEW.name(), "PT5M",
                PulseKeys.EVENT_TIME_FLOOR.name(), "2020-01-01T00:00:00Z"))));
        http = new ApiClient(api.port());
        smallHttp = new ApiClient(small.port());
        tenant = stack.newTenantWithDataset("clicks", SCHEMA, Partitioning.DAY, Scope.INGEST);
    }

    @AfterAll
    static void stop() {
        api.close();
        small.close();
    }

    static ApiClient.Response ndjson(ApiClient client, byte[] body, String... moreHeaders) {
        List<String> headers = new java.util.ArrayList<>(List.of("Authorization", "Bearer " + tenant.key(), "Content-Type", NDJSON));
        headers.addAll(List.of(moreHeaders));
        return client.post("/v1/events", body, headers.toArray(String[]::new));
    }

    static ApiClient.Response ndjson(ApiClient client, String body) {
        return ndjson(client, body.getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode onlyError(ApiClient.Response response) {
        assertProblem(response, 400, "invalid-events");
        assertThat(response.json().path("errors")).as(response.body()).hasSize(1);
        return response.json().path("errors").get(0);
    }

    static EventEnvelope onTopic(String eventId) {
        ConsumerRecord<byte[], byte[]> record = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(
                () -> RawTopic.readAll(stack.bootstrap(), tenant.tenant().id()).stream()
                        .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(eventId)).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        return EventEnvelope.fromBytes(ApiClient.MAPPER, record.value());
    }

    @Test
    void anUnknownEnvelopeMemberIsA400NamingIndexAndMemberAndSuggestsTimestamp() {
        TestStack.TenantWithDataset fresh = stack.newTenantWithDataset("clicks", SCHEMA, Partitioning.DAY, Scope.INGEST);
        ApiClient.Response response = http.ingest(fresh.key(), """
                [{"dataset": "clicks", "data": {"page": "/"}},
                 {"dataset": "clicks", "event_time": "2026-01-01T00:00:00Z", "data": {"page": "/"}},
                 {"dataset": "clicks", "ts": 1, "time": "x", "colour": "red", "data": {"page": "/"}}]""");
        assertProblem(response, 400, "invalid-events");
        JsonNode errors = response.json().path("errors");
        assertThat(errors).hasSize(4);
        assertThat(errors.get(0).path("index").asInt()).isEqualTo(1);
        assertThat(errors.get(0).path("field").asText()).isEqualTo("event_time");
        assertThat(errors.get(0).path("message").asText()).contains("'timestamp'");
        assertThat(errors.get(0).has("line")).as("JSON bodies have no lines").isFalse();
        assertThat(errors).extracting(e -> e.path("index").asInt() + ":" + e.path("field").asText())
                .containsExactly("1:event_time", "2:ts", "2:time", "2:colour");
        assertThat(errors.get(3).path("message").asText()).contains("'data'").doesNotContain("'timestamp'");
        assertThat(RawTopic.readAll(stack.bootstrap(), fresh.tenant().id())).as("nothing of the batch was produced").isEmpty();
    }

    @Test
    void dataMustBeAnObject() {
        for (String data : new String[] {"[]", "\"x\"", "1", "true"}) {
            JsonNode error = onlyError(http.ingest(tenant.key(), "{\"dataset\": \"clicks\", \"data\": " + data + "}"));
            assertThat(error.path("field").asText()).as(data).isEqualTo("data");
            assertThat(error.path("message").asText()).contains("JSON object");
        }
    }

    @Test
    void anEventTimeTooFarAheadOrBeforeTheFloorIsA400NamingTheEvent() {
        Instant now = Instant.now();
        String[] refused = {now.plus(Duration.ofHours(2)).toString(), "2099-01-01T00:00:00Z", "1999-12-31T23:59:59.999999Z",
            "1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z"};
        for (String time : refused) {
            ApiClient.Response response = http.ingest(tenant.key(), "[{\"dataset\": \"clicks\", \"data\": {}}, {\"dataset\": \"clicks\","
                    + " \"timestamp\": \"" + time + "\", \"data\": {}}]");
            JsonNode error = onlyError(response);
            assertThat(error.path("index").asInt()).as(time).isEqualTo(1);
            assertThat(error.path("field").asText()).isEqualTo("timestamp");
            assertThat(error.path("message").asText()).contains("event-time-out-of-range");
        }
        String edges = "[{\"dataset\": \"clicks\", \"event_id\": \"floor\", \"timestamp\": \"2000-01-01T00:00:00Z\", \"data\": {}},"
                + " {\"dataset\": \"clicks\", \"event_id\": \"ahead\", \"timestamp\": \"" + now.plus(Duration.ofMinutes(50)) + "\", \"data\": {}}]";
        assertThat(http.ingest(tenant.key(), edges).status()).isEqualTo(202);
        assertThat(onTopic("floor").eventTime()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
    }

    @Test
    void theBoundsFollowTheirConfiguration() {
        JsonNode early = onlyError(smallHttp.ingest(tenant.key(), "{\"dataset\": \"clicks\", \"timestamp\": \"2019-12-31T23:59:59Z\", \"data\": {}}"));
        assertThat(early.path("message").asText()).contains("2020-01-01T00:00:00Z");
        JsonNode ahead = onlyError(smallHttp.ingest(tenant.key(), "{\"dataset\": \"clicks\", \"timestamp\": \""
                + Instant.now().plus(Duration.ofMinutes(10)) + "\", \"data\": {}}"));
        assertThat(ahead.path("message").asText()).contains("PT5M");
    }

    @Test
    void anNdjsonBodyIsOneEventPerLineAndBlankLinesAreSkipped() {
        ApiClient.Response response = ndjson(http, """
                {"dataset": "clicks", "event_id": "nd-1", "data": {"page": "/a"}}\r
                
                {"dataset": "clicks", "event_id": "nd-2", "timestamp": "2024-05-01T12:00:00Z", "data": {"page": "/b"}}
                {"dataset": "clicks", "data": {"page": "/c"}}
                """);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(response.json().path("accepted").asInt()).isEqualTo(3);
        assertThat(response.json().path("event_ids").get(0).asText()).isEqualTo("nd-1");
        assertThat(onTopic("nd-2").eventTime()).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
        assertThat(onTopic("nd-1").data().path("page").asText()).isEqualTo("/a");
    }

    @Test
    void aBadNdjsonLineIsNamedByItsLine() {
        JsonNode error = onlyError(ndjson(http, """
                {"dataset": "clicks", "data": {"page": "/a"}}

                {"dataset": "clicks", "data": {"page": "/b"}, "ts": 3}
                """));
        assertThat(error.path("index").asInt()).isEqualTo(1);
        assertThat(error.path("line").asInt()).isEqualTo(3);
        assertThat(error.path("field").asText()).isEqualTo("ts");

        ApiClient.Response malformed = ndjson(http, "{\"dataset\": \"clicks\", \"data\": {}}\n{\"dataset\": \"clicks\", \"data\": {}\n");
        assertProblem(malformed, 400, "malformed-json");
        assertThat(malformed.detail()).contains("on line 2");
        ApiClient.Response twoOnALine = ndjson(http, "{\"dataset\": \"clicks\", \"data\": {}} {\"dataset\": \"clicks\", \"data\": {}}\n");
        assertProblem(twoOnALine, 400, "malformed-json");
        assertThat(twoOnALine.detail()).contains("on line 1");
        assertProblem(ndjson(http, "\n\n  \n"), 400, "empty-batch");
        assertProblem(ndjson(http, "[{\"dataset\": \"clicks\", \"data\": {}}]\n"), 400, "invalid-events");
    }

    @Test
    void ndjsonHasTheSameLimits() {
        String line = "{\"dataset\": \"clicks\", \"data\": {\"page\": \"/\"}}\n";
        assertThat(ndjson(smallHttp, line.repeat(MAX_EVENTS)).status()).isEqualTo(202);
        ApiClient.Response tooMany = ndjson(smallHttp, line.repeat(MAX_EVENTS + 1));
        assertProblem(tooMany, 413, "too-many-events");
        assertThat(tooMany.detail()).contains(Integer.toString(MAX_EVENTS));
        ApiClient.Response bigEvent = ndjson(smallHttp, line + "{\"dataset\": \"clicks\", \"data\": {\"page\": \"" + "x".repeat(MAX_EVENT) + "\"}}\n");
        assertProblem(bigEvent, 413, "event-too-large");
        assertThat(bigEvent.detail()).contains("event 1");
        assertProblem(ndjson(smallHttp, ("{\"dataset\": \"clicks\", \"data\": {\"page\": \"" + "x".repeat(MAX_BODY) + "\"}}\n")), 413,
                "body-too-large");
        String deep = "{\"dataset\": \"clicks\", \"data\": " + "{\"a\": ".repeat(70) + "1" + "}".repeat(70) + "}\n";
        ApiClient.Response tooDeep = ndjson(http, line + deep);
        assertProblem(tooDeep, 400, "json-too-deep");
        assertThat(tooDeep.detail()).contains("on line 2");
    }

    @Test
    void ndjsonMayBeGzipped() throws Exception {
        String body = "{\"dataset\": \"clicks\", \"event_id\": \"gz-1\", \"data\": {\"page\": \"/gz\"}}\n"
                + "{\"dataset\": \"clicks\", \"event_id\": \"gz-2\", \"data\": {\"page\": \"/gz\"}}\n";
        ApiClient.Response response = ndjson(http, EventsIT.gzip(body.getBytes(StandardCharsets.UTF_8)), "Content-Encoding", "gzip");
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(onTopic("gz-2").data().path("page").asText()).isEqualTo("/gz");
        byte[] bomb = EventsIT.gzip(("{\"dataset\": \"clicks\", \"data\": {\"page\": \"" + "x".repeat(4 * MAX_BODY) + "\"}}\n")
                .getBytes(StandardCharsets.UTF_8));
        assertProblem(ndjson(smallHttp, bomb, "Content-Encoding", "gzip"), 413, "body-too-large");
    }

    @Test
    void otherMediaTypesAreStill415() {
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/jsonl", "application/ndjson"}) {
            ApiClient.Response response = http.post("/v1/events", "{}", "Authorization", "Bearer " + tenant.key(), "Content-Type", type);
            assertProblem(response, 415, "unsupported-media-type");
            assertThat(response.detail()).contains("application/x-ndjson");
        }
    }

    @Test
    void theOpenApiDocumentDescribesBothRequestMediaTypes() {
        JsonNode content = http.get("/openapi.json").json().path("paths").path("/v1/events").path("post").path("requestBody").path("content");
        assertThat(Set.copyOf(iterate(content.fieldNames()))).containsExactlyInAnyOrder("application/json", NDJSON);
        assertThat(content.path(NDJSON).path("schema").path("$ref").asText()).isEqualTo("#/components/schemas/EventIn");
    }

    private static List<String> iterate(java.util.Iterator<String> names) {
        List<String> out = new java.util.ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }
}
