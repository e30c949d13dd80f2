package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A quiet tenant's freshness alone and beside a flooding neighbour, against the running stack:
 * the quiet tenant posts one event a second and waits for each to show in its preview (202 →
 * visible); first alone, then while a neighbour (tier enterprise) posts batches as fast as
 * {@code --flood-concurrency} clients can. Prints p50/p95 of both phases, their ratio, the quiet
 * tenant's POST latency, the flood's accepted rate and how long its backlog took to drain.
 */
@Command(name = "fairness", description = "A quiet tenant's freshness alone and beside a flooding neighbour.", mixinStandardHelpOptions = true)
final class FairnessBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--seconds", defaultValue = "30", description = "length of each phase, one quiet event a second (default: ${DEFAULT-VALUE})")
    int seconds;
    @Option(names = "--flood-batch", defaultValue = "500", description = "events per flood request (default: ${DEFAULT-VALUE})")
    int floodBatch;
    @Option(names = "--flood-concurrency", defaultValue = "8", description = "flood requests in flight (default: ${DEFAULT-VALUE})")
    int floodConcurrency;
    @Option(names = "--flood-tier", defaultValue = "enterprise", description = "the flooding tenant's tier, whose rate limit caps the flood: "
            + "free, standard or enterprise (default: ${DEFAULT-VALUE})")
    String floodTier;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private record Tenant(String slug, String key) {
    }

    /** One phase's quiet-tenant figures, in seconds. */
    private record Phase(List<Double> freshness, List<Double> postLatency) {
    }

    @Override
    public Integer call() throws Exception {
        if (seconds < 5 || floodBatch < 1 || floodConcurrency < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "need --seconds >= 5, --flood-batch >= 1, --flood-concurrency >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        Settings settings = RunningStack.settings();
        OperatorClient operator = OperatorClient.fromSettings(settings);
        String apiUrl = OperatorClient.apiUrl(settings);
        String queryUrl = OperatorClient.queryUrl(settings);
        String run = Long.toString(ThreadLocalRandom.current().nextLong() & 0xffffffL, 36);
        Tenant quiet = tenant(operator, "fair-" + run + "-quiet", "standard");
        if (!java.util.Set.of("free", "standard", "enterprise").contains(floodTier)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--flood-tier must be free, standard or enterprise");
        }
        Tenant flood = tenant(operator, "fair-" + run + "-flood", floodTier);
        out.printf("bench fairness: %d s alone, then %d s beside a flood (%s tier, %d events per request, %d in flight)%n", seconds, seconds,
                floodTier, floodBatch, floodConcurrency);
        out.flush();

        quietPhase(apiUrl, queryUrl, quiet, 5); // warm-up: the first events pay for JIT, table creation, caches
        Phase alone = quietPhase(apiUrl, queryUrl, quiet, seconds);
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong floodAccepted = new AtomicLong();
        AtomicLong floodRefused = new AtomicLong();
        long floodStart = System.nanoTime();
        Phase beside;
        try (ExecutorService pool = Executors.newFixedThreadPool(floodConcurrency)) {
            for (int c = 0; c < floodConcurrency; c++) {
                int client = c;
                pool.submit(() -> flood(apiUrl, flood, client, flooding, floodAccepted, floodRefused));
            }
            beside = quietPhase(apiUrl, queryUrl, quiet, seconds);
            flooding.set(false);
        }
        double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
        print(out, "alone", alone);
        print(out, "beside the flood", beside);
        out.printf(Locale.ROOT, "p95 freshness beside the flood / alone: %.2fx%n", percentile(beside.freshness(), 95) / percentile(alone.freshness(), 95));
        out.printf(Locale.ROOT, "flood: %d events accepted in %.1f s (%.0f events/s), %d requests refused with 429%n",
                floodAccepted.get(), floodSeconds, floodAccepted.get() / floodSeconds, floodRefused.get());
        out.flush();
        long stopped = System.nanoTime();
        awaitCompleteThrough(queryUrl, flood, Instant.now(), Duration.ofMinutes(15));
        out.printf(Locale.ROOT, "flood: its backlog was in its table %.1f s after it stopped%n", (System.nanoTime() - stopped) / 1e9);
        out.flush();
        return 0;
    }

    private Tenant tenant(OperatorClient operator, String slug, String tier) {
        return new Tenant(slug, BenchTenants.create(operator, slug, tier, "events").key());
    }

    /** One quiet event a second for {@code count} seconds; each waits until its preview shows it. */
    private Phase quietPhase(String apiUrl, String queryUrl, Tenant quiet, int count) throws IOException, InterruptedException {
        List<Double> freshness = new ArrayList<>();
        List<Double> postLatency = new ArrayList<>();
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait)); // pacing of a benchmark client, not a test wait
            }
            next += 1_000_000_000L;
            String id = quiet.slug() + "-" + System.nanoTime();
            ArrayNode body = OperatorClient.JSON.createArrayNode();
            body.addObject().put("dataset", "events").put("event_id", id).put("timestamp", Instant.now().toString())
                    .putObject("data").put("url", "/quiet").put("user_id", "u-1").put("duration_ms", i);
            long posted = System.nanoTime();
            HttpResponse<String> response = post(apiUrl, quiet, body);
            long acknowledged = System.nanoTime();
            if (response.statusCode() != 202) {
                throw new RefusedException(response.statusCode(), "quiet POST answered " + response.statusCode() + ": " + response.body());
            }
            waitVisible(queryUrl, quiet, id, Duration.ofMinutes(5));
            postLatency.add((acknowledged - posted) / 1e9);
            freshness.add((System.nanoTime() - acknowledged) / 1e9);
        }
        return new Phase(freshness, postLatency);
    }

    private void flood(String apiUrl, Tenant flood, int client, AtomicBoolean flooding, AtomicLong accepted, AtomicLong refused) {
        Instant base = Instant.now().minusSeconds(3600);
        try {
            for (long request = 0; flooding.get(); request++) {
                ArrayNode body = OperatorClient.JSON.createArrayNode();
                for (int i = 0; i < floodBatch; i++) {
                    long n = request * floodBatch + i;
                    ObjectNode event = body.addObject().put("dataset", "events").put("event_id", "f" + client + "-" + n)
                            .put("timestamp", base.plusMillis(n * 8 + client).toString());
                    event.putObject("data").put("url", "/flood/" + (n % 97)).put("user_id", "u-" + (n % 1000)).put("duration_ms", n % 5000);
                }
                HttpResponse<String> response = post(apiUrl, flood, body);
                if (response.statusCode() == 202) {
                    accepted.addAndGet(floodBatch);
                } else if (response.statusCode() == 429) {
                    refused.incrementAndGet();
                } else {
                    throw new RefusedException(response.statusCode(), "flood POST answered " + response.statusCode() + ": " + response.body());
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("flood client " + client + " failed", e);
        }
    }

    private HttpResponse<String> post(String apiUrl, Tenant tenant, ArrayNode body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/events")).header("Authorization", "Bearer " + tenant.key())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls the preview until its newest row is {@code eventId} (the quiet tenant's events carry the time they are sent). */
    private void waitVisible(String queryUrl, Tenant tenant, String eventId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(queryUrl + "/v1/datasets/events/preview?limit=1"))
                .header("Authorization", "Bearer " + tenant.key()).build();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                for (JsonNode row : OperatorClient.JSON.readTree(response.body()).path("rows")) {
                    if (eventId.equals(row.path("event_id").asText())) {
                        return;
                    }
                }
            }
            Thread.sleep(20); // polling interval of a benchmark client, not a test wait
        }
        throw new RefusedException(0, "tenant " + tenant.slug() + ": event " + eventId + " not visible after " + timeout);
    }

    /** Polls the preview until the tenant's data is complete through {@code instant}: every event acknowledged before it is in. */
    private void awaitCompleteThrough(String queryUrl, Tenant tenant, Instant instant, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(queryUrl + "/v1/datasets/events/preview?limit=1"))
                .header("Authorization", "Bearer " + tenant.key()).build();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode through = response.statusCode() == 200 ? OperatorClient.JSON.readTree(response.body()).path("complete_through") : null;
            if (through != null && through.isTextual() && !Instant.parse(through.asText()).isBefore(instant)) {
                return;
            }
            Thread.sleep(100); // polling interval of a benchmark client, not a test wait
        }
        throw new RefusedException(0, "tenant " + tenant.slug() + " not complete through " + instant + " after " + timeout);
    }

    private static void print(PrintWriter out, String phase, Phase figures) {
        out.printf(Locale.ROOT, "quiet tenant %-17s freshness p50 %.2f s, p95 %.2f s, max %.2f s; POST p50 %.0f ms, p95 %.0f ms (%d events)%n",
                phase + ":", percentile(figures.freshness(), 50), percentile(figures.freshness(), 95), percentile(figures.freshness(), 100),
                percentile(figures.postLatency(), 50) * 1000, percentile(figures.postLatency(), 95) * 1000, figures.freshness().size());
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
