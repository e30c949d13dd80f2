package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A refusal always reaches the client: a 20 MB body against the default 10 MiB limit gets its
 * 413 (not a connection reset while the client is still sending), every time, whether the body
 * is plain with a Content-Length, gzip, or chunked; and so does a 401 in front of a large body.
 */
class RefusalReachesClientIT {
    static final int ROUNDS = 8;
    static final int TWENTY_MB = 20 * 1000 * 1000;

    static IngestApi api;
    static String key;
    static HttpClient client;
    static byte[] plain;
    static byte[] gzipped;

    @BeforeAll
    static void start() throws Exception {
        TestStack stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of())));
        key = stack.newTenantWithDataset("notes", """
                {"type": "object", "properties": {"text": {"type": "string"}}}""", Partitioning.DAY, Scope.INGEST).key();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        plain = ("{\"dataset\": \"notes\", \"data\": {\"text\": \"" + "x".repeat(TWENTY_MB) + "\"}}").getBytes();
        // Incompressible: the compressed body itself is ~20 MB on the wire.
        byte[] noise = new byte[TWENTY_MB];
        new Random(9).nextBytes(noise);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(noise);
        }
        gzipped = out.toByteArray();
        assertThat(gzipped.length).isGreaterThan(TWENTY_MB);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static HttpResponse<String> send(HttpRequest.BodyPublisher body, String authorization, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/events"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(body);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertRefused(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.body()).contains("https://pulse.dev/problems/" + code);
    }

    @Test
    void twentyMegabytesWithAContentLengthGet413EveryTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            assertRefused(send(HttpRequest.BodyPublishers.ofByteArray(plain), "Bearer " + key), 413, "body-too-large");
        }
    }

    @Test
    void twentyMegabytesChunkedGet413EveryTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            // ofInputStream has no known length, so the client sends Transfer-Encoding: chunked.
            assertRefused(send(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(plain)), "Bearer " + key),
                    413, "body-too-large");
        }
    }

    @Test
    void twentyMegabytesOfGzipGet413EveryTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            assertRefused(send(HttpRequest.BodyPublishers.ofByteArray(gzipped), "Bearer " + key, "Content-Encoding", "gzip"),
                    413, "body-too-large");
            assertRefused(send(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(gzipped)), "Bearer " + key,
                    "Content-Encoding", "gzip"), 413, "body-too-large");
        }
    }

    @Test
    void aBadKeyInFrontOfTwentyMegabytesGets401EveryTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            assertRefused(send(HttpRequest.BodyPublishers.ofByteArray(plain), "Bearer pulse_0000000000000000_nope"), 401, "unauthorized");
        }
    }

    @Test
    void theConnectionServesTheNextRequestAfterARefusal() throws Exception {
        assertRefused(send(HttpRequest.BodyPublishers.ofByteArray(plain), "Bearer " + key), 413, "body-too-large");
        HttpResponse<String> next = send(HttpRequest.BodyPublishers.ofString("{\"dataset\": \"notes\", \"data\": {\"text\": \"hi\"}}"),
                "Bearer " + key);
        assertThat(next.statusCode()).as(next.body()).isEqualTo(202);
    }
}
