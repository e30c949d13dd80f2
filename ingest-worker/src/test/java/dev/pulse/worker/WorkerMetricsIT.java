package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.PrometheusText;
import dev.pulse.schemas.naming.TenantId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker's {@code GET /metrics} (its own port) on the real stack: Prometheus text a strict
 * reader accepts; rows landed, dead letters by reason, batches, table commits, consumer lag and
 * freshness per tenant move with what was produced; no tenant key reads the metrics. The label
 * cap: {@link WorkerMetricsCapIT}.
 */
class WorkerMetricsIT {
    static final String SCRAPE_TOKEN = "scrape-" + UUID.randomUUID();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static WorkerFixture fixture;
    static IngestWorker worker;
    static String operatorToken;

    @BeforeAll
    static void startWorker() {
        fixture = new WorkerFixture();
        operatorToken = fixture.stack.environment().get("PULSE_OPERATOR_TOKEN");
        // A fresh group reads every tenant of the shared stack: a cap above them all keeps this class's tenants labelled.
        worker = IngestWorker.start(fixture.config("metrics-it-" + UUID.randomUUID(), Map.of("PULSE_METRICS_TOKEN", SCRAPE_TOKEN,
                "PULSE_METRICS_TENANT_LABELS", "1000")));
    }

    @AfterAll
    static void stopWorker() {
        worker.close();
        fixture.close();
    }

    static HttpResponse<String> get(int port, String method, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30));
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

    static PrometheusText scrape(IngestWorker from, String token) {
        HttpResponse<String> response = get(from.metricsPort().orElseThrow(), "GET", token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        return PrometheusText.parse(response.body());
    }

    static String good(int n) {
        return "{\"url\": \"/p" + n + "\", \"n\": " + n + "}";
    }

    @Test
    void theScrapeParsesAsPrometheusTextWithTheJvmThePoolAndTheServiceTag() {
        // The GC pause timer exists from the JVM's first collection on (Micrometer registers it on
        // the first GC notification); a young test JVM may not have had one yet (a red CI run).
        System.gc();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> scrape(worker, SCRAPE_TOKEN).types().containsKey("jvm_gc_pause_seconds"));
        PrometheusText metrics = scrape(worker, SCRAPE_TOKEN);
        assertThat(metrics.types()).containsEntry("pulse_worker_batch_seconds", "histogram").containsEntry("pulse_worker_records_total", "counter")
                .containsKey("jvm_memory_used_bytes").containsKey("jvm_gc_pause_seconds").containsKey("hikaricp_connections_active");
        assertThat(metrics.samples()).allSatisfy(s -> assertThat(s.labels()).containsEntry("service", "worker"));
        assertThat(metrics.samples("hikaricp_connections_max", Map.of("pool", "worker"))).isNotEmpty();
        assertThat(scrape(worker, operatorToken).samples()).isNotEmpty();
    }

    @Test
    void rowsLandedDeadLettersFreshnessAndLagMoveWithWhatWasProduced() {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        String label = tenant.toString();
        double batches = scrape(worker, SCRAPE_TOKEN).sum("pulse_worker_batch_seconds_count", Map.of());
        for (int i = 0; i < 5; i++) {
            fixture.produce(tenant, "clicks", "ok-" + i, good(i));
        }
        fixture.produce(tenant, "clicks", "bad-1", "{\"n\": 1}"); // no url: refused by the schema

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            PrometheusText metrics = scrape(worker, SCRAPE_TOKEN);
            assertThat(metrics.sum("pulse_worker_rows_landed_total", Map.of("tenant", label))).isEqualTo(5);
            assertThat(metrics.sum("pulse_worker_dead_letters_total", Map.of("tenant", label))).isEqualTo(1);
            assertThat(metrics.sum("pulse_worker_table_commit_seconds_count", Map.of("tenant", label))).isGreaterThanOrEqualTo(1);
            assertThat(metrics.sum("pulse_worker_batch_seconds_count", Map.of())).isGreaterThan(batches);
            assertThat(metrics.value("pulse_worker_freshness_seconds", Map.of("tenant", label)))
                    .hasValueSatisfying(age -> assertThat(age).isBetween(0.0, 60.0));
            assertThat(metrics.value("pulse_worker_consumer_lag_records", Map.of("tenant", label))).hasValue(0.0);
        });
        assertThat(fixture.eventIds(tenant, "clicks")).hasSize(5);
        PrometheusText metrics = scrape(worker, SCRAPE_TOKEN);
        assertThat(metrics.samples("pulse_worker_dead_letters_total", Map.of("tenant", label)))
                .singleElement().satisfies(s -> assertThat(s.labels().get("reason")).isNotBlank());
        // Freshness follows the clock for an idle tenant: the gauge stays small, it does not grow with the time since the last event.
        long idleSince = System.nanoTime();
        await().pollDelay(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                scrape(worker, SCRAPE_TOKEN).value("pulse_worker_freshness_seconds", Map.of("tenant", label)))
                .hasValueSatisfying(age -> assertThat(age).isLessThan(10.0)));
        assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isGreaterThan(Duration.ofSeconds(10));
    }

    @Test
    void noTenantKeyReadsTheWorkersMetrics() {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        int port = worker.metricsPort().orElseThrow();
        for (Scope scope : Scope.values()) {
            String key = fixture.stack.keys().create(tenant, "k-" + scope, Set.of(scope), null).token();
            HttpResponse<String> refused = get(port, "GET", key);
            assertThat(refused.statusCode()).as(scope.name()).isEqualTo(401);
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(refused.body()).doesNotContain("pulse_worker").doesNotContain(tenant.toString());
        }
        HttpResponse<String> anonymous = get(port, "GET", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(get(port, "POST", SCRAPE_TOKEN).statusCode()).isEqualTo(405);
    }
}
