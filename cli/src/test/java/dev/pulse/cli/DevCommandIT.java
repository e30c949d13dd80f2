package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code pulse dev}: the demo it prints works, {@code pulse bench soak} and {@code bench ingest} run on its stack, and a
 * restart on the same data dir keeps everything.
 */
class DevCommandIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theDemoCommandsWorkAndARestartKeepsTenantsKeysAndData() throws Exception {
        Path dataDir = Files.createTempDirectory("pulse-dev-it");
        String key;
        try (DevCommand.Running running = new DevCommand.Running(dataDir, 0, 0)) {
            key = DevCommand.DemoTenant.ensure(running.environment, dataDir).key();
            String banner = DevCommand.banner(running, new DevCommand.DemoTenant(key), dataDir);
            assertThat(banner).contains("curl").contains(key).contains("/v1/events").contains("/preview");
            assertThat(Settings.readEnvFile(running.envFile)).containsKeys(PulseKeys.DATABASE_URL.name(), PulseKeys.ADMIN_DATABASE_URL.name(),
                    PulseKeys.CATALOG_DATABASE_URL.name(), PulseKeys.KAFKA_BOOTSTRAP.name(), PulseKeys.WAREHOUSE.name(), PulseKeys.OPERATOR_TOKEN.name(),
                    PulseKeys.API_URL.name(), PulseKeys.QUERY_URL.name());

            assertThat(get(running.environment.get(PulseKeys.API_URL.name()) + "/healthz", null).statusCode()).isEqualTo(200);
            assertThat(get(running.environment.get(PulseKeys.QUERY_URL.name()) + "/healthz", null).statusCode()).isEqualTo(200);
            HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create(running.environment.get(PulseKeys.API_URL.name()) + "/v1/events"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"dataset\":\"page-views\",\"event_id\":\"first\",\"data\":{\"url\":\"/pricing\",\"user_id\":\"u-42\",\"duration_ms\":1234}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            String previewUrl = running.environment.get(PulseKeys.QUERY_URL.name()) + "/v1/datasets/page-views/preview?limit=10";
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rows(get(previewUrl, key))).isEqualTo(1));

            // GET /metrics of all three services in one process: each its own registry and port, the operator token reads them.
            String operatorToken = running.environment.get(PulseKeys.OPERATOR_TOKEN.name());
            String workerMetrics = "http://127.0.0.1:" + running.environment.get(PulseKeys.WORKER_METRICS_PORT.name()) + "/metrics";
            assertThat(banner).contains(workerMetrics);
            assertThat(metrics(running.environment.get(PulseKeys.API_URL.name()) + "/metrics", operatorToken)
                    .sum("pulse_api_events_accepted_total", java.util.Map.of("service", "api"))).isEqualTo(1);
            assertThat(metrics(running.environment.get(PulseKeys.QUERY_URL.name()) + "/metrics", operatorToken)
                    .sum("pulse_query_preview_seconds_count", java.util.Map.of("service", "query", "outcome", "ok"))).isGreaterThanOrEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics(workerMetrics, operatorToken)
                    .sum("pulse_worker_rows_landed_total", java.util.Map.of("service", "worker"))).isEqualTo(1));
            assertThat(get(workerMetrics, key).statusCode()).isEqualTo(401);

            // bench soak, tiny, on this stack (its own stack would cost a second start): it drives
            // commits, restarts the worker through the supervisor (a restart's first commit is timed)
            // and prints both figure sets.
            StringWriter printed = new StringWriter();
            SoakBench soak = new SoakBench();
            new CommandLine(soak).setOut(new PrintWriter(printed)).setErr(new PrintWriter(new StringWriter()))
                    .parseArgs("--tenants", "2", "--commits", "4", "--warmup", "PT0S", "--previews", "1", "--restarts", "1", "--no-at-visit", "--json");
            soak.runOn(DevCommand.BenchStack.borrowing(running));
            JsonNode figures = OperatorClient.JSON.readTree(printed.toString());
            assertThat(figures.path("run").path("commits").asLong()).isGreaterThanOrEqualTo(4);
            // The soak restarted the worker: the same endpoint still serves, and its counters kept counting.
            assertThat(metrics(workerMetrics, operatorToken).sum("pulse_worker_rows_landed_total", java.util.Map.of())).isGreaterThan(1);
            for (String phase : new String[] {"start", "end"}) {
                assertThat(figures.path(phase).path("snapshots_p50").asLong()).as(phase).isPositive();
                assertThat(figures.path(phase).path("current_metadata_bytes_p50").asLong()).as(phase).isPositive();
                assertThat(figures.path(phase).path("restart_to_first_commit_ms").asDouble()).as(phase).isPositive();
                assertThat(figures.path(phase).path("preview_p50_ms").asDouble()).as(phase).isPositive();
            }

            // bench ingest, tiny, on this stack: every phase runs and prints its figure.
            StringWriter ingestPrinted = new StringWriter();
            IngestBench ingest = new IngestBench();
            new CommandLine(ingest).setOut(new PrintWriter(ingestPrinted)).setErr(new PrintWriter(new StringWriter()))
                    .parseArgs("--tenants", "1", "--raw-events", "2000", "--events", "1000", "--batch", "100", "--single-events", "20", "--clients", "2",
                            "--warmup-events", "200", "--steady-rate", "100", "--steady-batch", "10", "--steady-seconds", "2", "--json");
            ingest.runOn(DevCommand.BenchStack.borrowing(running));
            JsonNode ingested = OperatorClient.JSON.readTree(ingestPrinted.toString());
            for (String phase : new String[] {"raw_producer", "http_batch", "http_single", "drain"}) {
                assertThat(ingested.path(phase).path("events_per_second").asDouble()).as(phase).isPositive();
            }
            assertThat(ingested.path("ratios").path("http_batch_over_raw").asDouble()).isPositive();
            assertThat(ingested.path("freshness").path("requests").asLong()).isPositive();
            assertThat(ingested.path("freshness").path("not_visible").asLong()).isZero();
            assertThat(ingested.path("freshness").path("p99_ms").asDouble()).isPositive();
        }

        try (DevCommand.Running restarted = new DevCommand.Running(dataDir, 0, 0)) {
            assertThat(DevCommand.DemoTenant.ensure(restarted.environment, dataDir).key()).isEqualTo(key);
            String previewUrl = restarted.environment.get(PulseKeys.QUERY_URL.name()) + "/v1/datasets/page-views/preview?limit=10";
            HttpResponse<String> preview = get(previewUrl, key);
            assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
            JsonNode body = OperatorClient.JSON.readTree(preview.body());
            assertThat(body.path("rows").get(0).path("event_id").asText()).isEqualTo("first");
        }
    }

    static HttpResponse<String> get(String url, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static dev.pulse.control.testing.PrometheusText metrics(String url, String token) throws Exception {
        HttpResponse<String> response = get(url, token);
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return dev.pulse.control.testing.PrometheusText.parse(response.body());
    }

    static int rows(HttpResponse<String> preview) throws Exception {
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        return OperatorClient.JSON.readTree(preview.body()).path("rows").size();
    }
}
