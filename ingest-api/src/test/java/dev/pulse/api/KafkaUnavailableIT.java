package dev.pulse.api;

import static dev.pulse.api.EventsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An API whose broker cannot be reached answers 503 with Retry-After, never 202 and never 500. */
class KafkaUnavailableIT {
    static IngestApi api;
    static ApiClient http;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        TestStack stack = TestStack.shared();
        // Nothing listens on port 1: the producer never gets metadata for the topic.
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of(
                "PULSE_KAFKA_BOOTSTRAP", "127.0.0.1:1",
                PulseKeys.PRODUCE_TIMEOUT_MS.name(), "1500"))));
        http = new ApiClient(api.port());
        key = stack.newTenantWithDataset("pings", """
                {"type": "object", "properties": {"n": {"type": "integer"}}}""", Partitioning.DAY, Scope.INGEST).key();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void whenKafkaIsUnreachableTheAnswerIs503WithRetryAfter() {
        var response = http.ingest(key, "{\"dataset\": \"pings\", \"data\": {\"n\": 1}}");
        assertProblem(response, 503, "kafka-unavailable");
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void healthStillReportsTheDatabase() {
        assertThat(http.get("/healthz").status()).isEqualTo(200);
    }
}
