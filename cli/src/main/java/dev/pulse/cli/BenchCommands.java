package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", description = "Benchmarks that print figures (they are not tests).", subcommands = {BenchCommands.EndToEnd.class, RlsBench.class, PreviewBench.class, SoakBench.class, IngestBench.class, FairnessBench.class, DlqBench.class},
        mixinStandardHelpOptions = true)
final class BenchCommands {

    /**
     * Posts N events across T fresh tenants against the running stack; prints accepted events/s
     * and the time from the last acknowledged POST until every tenant's newest event shows in its
     * preview.
     */
    @Command(name = "e2e", description = "Post events across fresh tenants; print ingest rate and time to visibility.",
            mixinStandardHelpOptions = true)
    static final class EndToEnd implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--events", defaultValue = "20000", description = "events to post in total (default: ${DEFAULT-VALUE})")
        int events;
        @Option(names = "--tenants", defaultValue = "4", description = "fresh tenants to spread them over (default: ${DEFAULT-VALUE})")
        int tenants;
        @Option(names = "--batch", defaultValue = "500", description = "events per request (default: ${DEFAULT-VALUE})")
        int batch;
        @Option(names = "--concurrency", defaultValue = "8", description = "requests in flight (default: ${DEFAULT-VALUE})")
        int concurrency;

        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        record BenchTenant(String slug, String key, List<String> lastEventId) {
        }

        @Override
        public Integer call() throws Exception {
            if (events < tenants || tenants < 1 || batch < 1 || concurrency < 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "need events >= tenants >= 1, batch >= 1, concurrency >= 1");
            }
            PrintWriter out = spec.commandLine().getOut();
            Settings settings = RunningStack.settings();
            OperatorClient operator = OperatorClient.fromSettings(settings);
            String apiUrl = OperatorClient.apiUrl(settings);
            String queryUrl = OperatorClient.queryUrl(settings);

            String run = Long.toString(ThreadLocalRandom.current().nextLong() & 0xffffffL, 36);
            List<BenchTenant> created = new ArrayList<>();
            for (int t = 0; t < tenants; t++) {
                String slug = "bench-" + run + "-" + t;
                created.add(new BenchTenant(slug, BenchTenants.create(operator, slug, "standard", "events").key(), new ArrayList<>()));
            }
            out.printf("bench e2e: %d events over %d tenants, %d per request, %d in flight%n", events, tenants, batch, concurrency);

            Instant base = Instant.now().minusSeconds(3600);
            List<Callable<Integer>> requests = new ArrayList<>();
            int perTenant = events / tenants;
            for (int t = 0; t < tenants; t++) {
                BenchTenant tenant = created.get(t);
                int count = t == tenants - 1 ? events - perTenant * (tenants - 1) : perTenant;
                for (int start = 0; start < count; start += batch) {
                    int from = start;
                    int to = Math.min(count, start + batch);
                    if (to == count) {
                        tenant.lastEventId().add(tenant.slug() + "-" + (count - 1));
                    }
                    requests.add(() -> post(apiUrl, tenant, base, from, to));
                }
            }
            long started = System.nanoTime();
            int accepted = 0;
            try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
                List<Future<Integer>> results = pool.invokeAll(requests);
                for (Future<Integer> r : results) {
                    accepted += r.get();
                }
            }
            double postSeconds = (System.nanoTime() - started) / 1e9;
            long acknowledged = System.nanoTime();
            out.printf(Locale.ROOT, "accepted %d events in %.2f s: %.0f events/s%n", accepted, postSeconds, accepted / postSeconds);

            for (BenchTenant tenant : created) {
                waitVisible(queryUrl, tenant, Duration.ofMinutes(5));
            }
            double visibleSeconds = (System.nanoTime() - acknowledged) / 1e9;
            out.printf(Locale.ROOT, "last event visible in every preview %.2f s after the last 202%n", visibleSeconds);
            out.flush();
            return 0;
        }

        private int post(String apiUrl, BenchTenant tenant, Instant base, int from, int to) throws IOException, InterruptedException {
            ArrayNode body = OperatorClient.JSON.createArrayNode();
            for (int i = from; i < to; i++) {
                ObjectNode event = body.addObject().put("dataset", "events").put("event_id", tenant.slug() + "-" + i)
                        .put("timestamp", base.plusMillis(i).toString());
                event.putObject("data").put("url", "/page/" + (i % 97)).put("user_id", "u-" + (i % 1000)).put("duration_ms", i % 5000);
            }
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/events"))
                    .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                throw new RefusedException(response.statusCode(), "POST /v1/events answered " + response.statusCode() + ": " + response.body());
            }
            return OperatorClient.JSON.readTree(response.body()).path("accepted").asInt();
        }

        private void waitVisible(String queryUrl, BenchTenant tenant, Duration timeout) throws IOException, InterruptedException {
            String expected = tenant.lastEventId().getFirst();
            long deadline = System.nanoTime() + timeout.toNanos();
            HttpRequest request = HttpRequest.newBuilder(URI.create(queryUrl + "/v1/datasets/events/preview?limit=1"))
                    .header("Authorization", "Bearer " + tenant.key()).build();
            while (System.nanoTime() < deadline) {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode rows = OperatorClient.JSON.readTree(response.body()).path("rows");
                    if (rows.size() == 1 && expected.equals(rows.get(0).path("event_id").asText())) {
                        return;
                    }
                }
                Thread.sleep(50); // polling interval of a benchmark client, not a test wait
            }
            throw new RefusedException(0, "tenant " + tenant.slug() + ": event " + expected + " not visible after " + timeout);
        }
    }
}
