package dev.pulse.api;

import static dev.pulse.api.EventsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The request limits, configured small through settings so the tests stay fast. */
class LimitsIT {
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_EVENT = 2048;
    static final int MAX_EVENTS = 5;

    static IngestApi api;
    static ApiClient http;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        TestStack stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of(
                PulseKeys.MAX_BODY_BYTES.name(), Integer.toString(MAX_BODY),
                PulseKeys.MAX_EVENT_BYTES.name(), Integer.toString(MAX_EVENT),
                PulseKeys.MAX_EVENTS_PER_REQUEST.name(), Integer.toString(MAX_EVENTS)))));
        http = new ApiClient(api.port());
        key = stack.newTenantWithDataset("notes", """
                {"type": "object", "properties": {"text": {"type": "string"}}}""", Partitioning.HOUR, Scope.INGEST).key();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static String event(int textLength) {
        return "{\"dataset\": \"notes\", \"data\": {\"text\": \"" + "x".repeat(textLength) + "\"}}";
    }

    @Test
    void aBodyOverTheLimitIs413() {
        var response = http.ingest(key, event(MAX_BODY + 10));
        assertProblem(response, 413, "body-too-large");
        assertThat(response.detail()).contains(Integer.toString(MAX_BODY));
    }

    @Test
    void aGzipBombOverTheLimitIs413() throws Exception {
        // ~20 MB of JSON that compresses to a few kilobytes.
        byte[] bomb = EventsIT.gzip(event(20 * 1024 * 1024).getBytes(StandardCharsets.UTF_8));
        assertThat(bomb.length).isLessThan(MAX_BODY);
        var response = http.post("/v1/events", bomb, "Authorization", "Bearer " + key,
                "Content-Type", "application/json", "Content-Encoding", "gzip");
        assertProblem(response, 413, "body-too-large");
    }

    @Test
    void aBodyJustUnderTheLimitIsNotRefusedForItsSize() {
        var response = http.ingest(key, "[" + String.join(",", java.util.Collections.nCopies(MAX_EVENTS, event(100))) + "]");
        assertThat(response.status()).as(response.body()).isEqualTo(202);
    }

    @Test
    void moreEventsThanTheLimitIs413() {
        var response = http.ingest(key, "[" + String.join(",", java.util.Collections.nCopies(MAX_EVENTS + 1, event(1))) + "]");
        assertProblem(response, 413, "too-many-events");
        assertThat(response.detail()).contains(Integer.toString(MAX_EVENTS));
    }

    @Test
    void oneOversizeEventIs413NamingItsIndex() {
        var response = http.ingest(key, "[" + event(10) + "," + event(10) + "," + event(MAX_EVENT + 1) + "]");
        assertProblem(response, 413, "event-too-large");
        assertThat(response.detail()).startsWith("event 2 ");
    }

    @Test
    void anInvalidGzipBodyIs400() {
        var response = http.post("/v1/events", "this is not gzip".getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + key,
                "Content-Type", "application/json", "Content-Encoding", "gzip");
        assertProblem(response, 400, "malformed-gzip");
    }
}
