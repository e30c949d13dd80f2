package dev.pulse.query.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.PrometheusText;
import dev.pulse.control.testing.TestStack;
import dev.pulse.query.LakeFixture;
import dev.pulse.query.LakeFixture.TenantDataset;
import dev.pulse.query.LakeQuery;
import dev.pulse.query.QueryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lake-query's {@code GET /metrics} on the real stack: strict Prometheus text, previews timed by
 * outcome, requests by route template (never the dataset in the path), the pool and the JVM;
 * no tenant key reads it.
 */
class QueryMetricsIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String SCRAPE_TOKEN = "scrape-" + UUID.randomUUID();
    static TestStack stack;
    static LakeQuery query;
    static QueryClient client;

    @TempDir
    static Path temp;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        query = LakeQuery.start(QueryConfig.from(stack.settings(Map.of("PULSE_QUERY_TEMP_DIR", temp.resolve("duckdb").toString(),
                "PULSE_METRICS_TOKEN", SCRAPE_TOKEN))));
        client = new QueryClient(query.port());
    }

    @AfterAll
    static void stop() {
        query.close();
    }

    static HttpResponse<String> metrics(String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + query.port() + "/metrics")).GET()
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static PrometheusText scrape() {
        HttpResponse<String> response = metrics(SCRAPE_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return PrometheusText.parse(response.body());
    }

    @Test
    void previewsAreTimedByOutcomeAndRequestsCountedByRouteTemplate() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "metrics-" + Long.toString(System.nanoTime(), 36));
        LakeFixture.append(ds.table(), List.of(LakeFixture.Event.at("e1", Instant.parse("2026-11-24T21:00:00Z"), "/a")));
        String route = "/v1/datasets/{slug}/preview";
        PrometheusText before = scrape();
        double ok = before.sum("pulse_query_preview_seconds_count", Map.of("outcome", "ok"));
        double failed = before.sum("pulse_query_preview_seconds_count", Map.of("outcome", "failed"));
        double served = before.sum("pulse_http_requests_seconds_count", Map.of("route", route, "status", "200"));

        assertThat(client.get("/v1/datasets/" + ds.slug() + "/preview", ds.queryToken()).status()).isEqualTo(200);
        assertThat(client.get("/v1/datasets/" + ds.slug() + "/preview", ds.queryToken()).status()).isEqualTo(200);
        String missing = "missing-" + Long.toString(System.nanoTime(), 36);
        assertThat(client.get("/v1/datasets/" + missing + "/preview", ds.queryToken()).status()).isEqualTo(404);

        PrometheusText after = scrape();
        assertThat(after.types()).containsEntry("pulse_query_preview_seconds", "histogram").containsKey("jvm_threads_live_threads");
        assertThat(after.samples()).allSatisfy(s -> assertThat(s.labels()).containsEntry("service", "query"));
        assertThat(after.samples("hikaricp_connections_max", Map.of("pool", "query"))).isNotEmpty();
        assertThat(after.sum("pulse_query_preview_seconds_count", Map.of("outcome", "ok"))).isEqualTo(ok + 2);
        assertThat(after.sum("pulse_query_preview_seconds_count", Map.of("outcome", "failed"))).isEqualTo(failed + 1);
        assertThat(after.sum("pulse_http_requests_seconds_count", Map.of("route", route, "status", "200", "method", "GET"))).isEqualTo(served + 2);
        assertThat(after.sum("pulse_http_requests_seconds_count", Map.of("route", route, "status", "404"))).isGreaterThanOrEqualTo(1);
        assertThat(metrics(SCRAPE_TOKEN).body()).doesNotContain(missing).doesNotContain(ds.slug()).doesNotContain(ds.tenant().id().toString());
    }

    @Test
    void noTenantKeyOfAnyScopeReadsTheMetrics() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "metrics-keys");
        for (Scope scope : Scope.values()) {
            String key = stack.keys().create(ds.tenant().id(), "k-" + scope, Set.of(scope), null).token();
            HttpResponse<String> refused = metrics(key);
            assertThat(refused.statusCode()).as(scope.name()).isEqualTo(401);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(refused.body()).doesNotContain("pulse_query");
        }
        assertThat(metrics(null).statusCode()).isEqualTo(401);
        assertThat(metrics(stack.environment().get("PULSE_OPERATOR_TOKEN")).statusCode()).isEqualTo(200);
    }
}
