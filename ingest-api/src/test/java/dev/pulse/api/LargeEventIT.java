package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.keys.Scope;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An event just under the default 1 MiB event limit reaches its topic: neither the producer's
 * request size nor the topic's max.message.bytes (broker default ~1 MiB) may refuse it.
 */
class LargeEventIT {
    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    static TenantRecord tenant;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings()));
        http = new ApiClient(api.port());
        // Created through Tenants, which configures the topics as production does.
        var fixture = stack.newTenantWithDataset("blobs", "{\"type\": \"object\", \"properties\": {\"text\": {\"type\": \"string\"}}}",
                Partitioning.DAY, Scope.INGEST);
        tenant = fixture.tenant();
        key = fixture.key();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void anEventOfExactlyTheOneMebibyteLimitIsAccepted() {
        // The envelope as the API serializes it, with the longest received_at, minus the text.
        EventEnvelope probe = new EventEnvelope("blobs", "big-1", Instant.parse("2024-05-01T12:00:00Z"),
                Instant.parse("2024-05-01T12:00:00.123456789Z"), ApiClient.MAPPER.createObjectNode().put("text", ""));
        int textLength = ApiConfig.from(stack.settings()).limits().maxEventBytes() - probe.toBytes().length;
        // Random characters, so that lz4 cannot shrink the batch under the broker's ~1 MiB default.
        byte[] random = new byte[textLength];
        new SecureRandom().nextBytes(random);
        String text = Base64.getEncoder().encodeToString(random).substring(0, textLength);
        String body = "{\"dataset\": \"blobs\", \"event_id\": \"big-1\", \"timestamp\": \"2024-05-01T12:00:00Z\", \"data\": {\"text\": \"" + text + "\"}}";

        var response = http.ingest(key, body);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(RawTopic.readAll(stack.bootstrap(), tenant.id())).singleElement()
                .satisfies(r -> assertThat(r.value().length).isGreaterThan(1024 * 1024 - 16));
    }
}
