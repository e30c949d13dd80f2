package dev.pulse.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.deadletters.DeadLetterFilter;
import dev.pulse.schemas.deadletters.DeadLetterState;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.dlq.DlqReplay;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Dead letters at scale, against a running {@code pulse dev}. Replay: {@code --replay} events that
 * break their schema are sent, the worker dead-letters them (its indexer fills the store), and
 * everything is replayed with a patch that fixes them: dead letters per second sent back,
 * and until the last one landed. Inspect: {@code --rows} dead letters are inserted straight into
 * another tenant's {@code pulse.dead_letters} (as the runtime role, under RLS), then the counts by
 * reason / dataset / state / day are timed in the store and over HTTP.
 */
@Command(name = "dlq", description = "Dead letters: replay throughput and inspect latency over --rows dead letters.", mixinStandardHelpOptions = true)
final class DlqBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--rows", defaultValue = "1000000", description = "dead letters in the inspect tenant's store (default: ${DEFAULT-VALUE})")
    int rows;
    @Option(names = "--replay", defaultValue = "20000", description = "dead letters replayed (default: ${DEFAULT-VALUE}); set PULSE_DLQ_REPLAY_RATE high to measure the ceiling")
    int replay;
    @Option(names = "--samples", defaultValue = "10", description = "timed inspect queries (default: ${DEFAULT-VALUE})")
    int samples;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Settings settings = RunningStack.settings();
        OperatorClient operator = OperatorClient.fromSettings(settings);
        WorkerConfig config = WorkerConfig.from(settings);
        String run = UUID.randomUUID().toString().substring(0, 6);
        try (TenantDatabase db = config.infrastructure().openDatabase("bench-dlq")) {
            if (replay > 0) {
                replayFigures(out, settings, operator, config, db, run);
            }
            if (rows > 0) {
                inspectFigures(out, settings, operator, db, run);
            }
        }
        return 0;
    }

    private void replayFigures(PrintWriter out, Settings settings, OperatorClient operator, WorkerConfig config, TenantDatabase db, String run)
            throws Exception {
        BenchTenants.Created t = BenchTenants.create(operator, "bench-dlq-" + run, "enterprise", "pages");
        HttpClient http = HttpClient.newHttpClient();
        String api = OperatorClient.apiUrl(settings);
        long sendStart = System.nanoTime();
        for (int from = 0; from < replay; from += 1000) {
            ArrayNode events = OperatorClient.JSON.createArrayNode();
            for (int i = from; i < Math.min(replay, from + 1000); i++) {
                // duration_ms must be an integer: a schema violation, dead-lettered by the worker.
                ObjectNode e = events.addObject().put("dataset", "pages").put("event_id", "dl-" + run + "-" + i);
                e.putObject("data").put("url", "/p/" + i).put("duration_ms", "slow");
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/events")).header("Authorization", "Bearer " + t.key())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(events.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 202) {
                throw new RefusedException(r.statusCode(), "POST /v1/events answered " + r.statusCode() + ": " + r.body());
            }
        }
        DeadLetterFilter open = DeadLetterFilter.ALL.withStates(Set.of(DeadLetterState.OPEN));
        waitFor(() -> db.inTenant(t.id(), tx -> DeadLetterStore.count(tx, open)) >= replay, Duration.ofMinutes(10), "the dead letters to be listed");
        double listedAfter = (System.nanoTime() - sendStart) / 1e9;
        // The fix: a JSON Merge Patch on each event's data, applied as it goes back.
        DlqReplay.ReplayResult result = DlqReplay.replay(config, db, t.id(), new DlqReplay.ReplayRequest(DeadLetterFilter.ALL, false,
                OperatorClient.JSON.createObjectNode().put("duration_ms", 1), null, "operator:bench"), DlqReplay.Progress.NONE);
        long landStart = System.nanoTime();
        waitFor(() -> operator.get("/admin/v1/tenants/" + t.slug() + "/datasets/pages").path("row_count").asLong() >= replay,
                Duration.ofMinutes(10), "the replayed events to land");
        double landed = result.seconds() + (System.nanoTime() - landStart) / 1e9;
        out.printf("replay: %,d dead letters (sent, dead-lettered and listed in %.1f s); replayed %,d in %.2f s = %,.0f dead letters/s "
                + "(PULSE_DLQ_REPLAY_RATE %d); all landed in the table %.1f s after the replay started%n", replay, listedAfter,
                result.replayed(), result.seconds(), result.ratePerSecond(), config.dlqReplayRate(), landed);
        out.flush();
    }

    private void inspectFigures(PrintWriter out, Settings settings, OperatorClient operator, TenantDatabase db, String run) throws Exception {
        BenchTenants.Created t = BenchTenants.create(operator, "bench-dli-" + run, "enterprise", "pages");
        long insertStart = System.nanoTime();
        String[] reasons = {"schema-violation", "unknown-dataset", "malformed-envelope", "unwritable-value", "dataset-table-unavailable"};
        String[] datasets = {"pages", "orders", "clicks", "carts", "later", "signups", "payments", "refunds"};
        for (int from = 0; from < rows; from += 100_000) {
            int start = from;
            int end = Math.min(rows, from + 100_000);
            db.inTenant(t.id(), tx -> tx.update("""
                    INSERT INTO pulse.dead_letters (tenant_id, id, state, reason, stage, message, dataset, event_id, violations,
                        source_partition, source_offset, dlq_partition, dlq_offset, record_key, payload, attempts, first_failed_at, last_failed_at)
                    SELECT ?, (g % 12) || '-' || g, (ARRAY['open','open','open','replayed','dropped','parked'])[(1 + g % 6)::int],
                        (?::text[])[(1 + (g / 7) % 5)::int], 'validate', 'bench', (?::text[])[(1 + g % 8)::int], 'e-' || g,
                        '[{"pointer": "/data/url", "message": "required"}]'::jsonb, g % 12, g, g % 12, g, convert_to('e-' || g, 'UTF8'),
                        convert_to('{"dataset":"pages","event_id":"e-' || g || '","data":{}}', 'UTF8'), 1,
                        ?::timestamptz - make_interval(secs => g % 2592000), ?::timestamptz
                      FROM generate_series(?::bigint, ?::bigint) g""", t.id(), reasons, datasets, Instant.now(), Instant.now(), (long) start,
                    (long) end - 1));
        }
        double inserted = (System.nanoTime() - insertStart) / 1e9;
        // As autovacuum would after such a load: the visibility map lets the counts be index-only scans.
        try (Connection admin = DriverManager.getConnection(settings.get(PulseKeys.ADMIN_DATABASE_URL)); Statement s = admin.createStatement()) {
            s.execute("VACUUM ANALYZE pulse.dead_letters");
        }
        double[] store = new double[samples];
        double[] overHttp = new double[samples];
        long[] total = {0};
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            DeadLetterStore.CountsResult counts = db.inTenant(t.id(), tx -> DeadLetterStore.counts(tx, DeadLetterFilter.ALL));
            store[i] = (System.nanoTime() - t0) / 1e6;
            total[0] = counts.total();
            long t1 = System.nanoTime();
            operator.get("/admin/v1/tenants/" + t.slug() + "/dlq?limit=10");
            overHttp[i] = (System.nanoTime() - t1) / 1e6;
        }
        long t2 = System.nanoTime();
        long filtered = db.inTenant(t.id(), tx -> DeadLetterStore.counts(tx,
                new DeadLetterFilter("orders", "schema-violation", Instant.now().minus(Duration.ofDays(7)), null, java.util.List.of(), Set.of())).total());
        double filteredMs = (System.nanoTime() - t2) / 1e6;
        Arrays.sort(store);
        Arrays.sort(overHttp);
        out.printf("inspect: %,d dead letters (inserted in %.1f s); counts by reason, dataset, state and day: median %.0f ms, max %.0f ms "
                + "in the store; GET /admin/v1/tenants/{slug}/dlq (counts + 10 newest samples) median %.0f ms, max %.0f ms; "
                + "filtered (dataset, reason, last 7 days: %,d) %.0f ms%n", total[0], inserted, store[samples / 2], store[samples - 1],
                overHttp[samples / 2], overHttp[samples - 1], filtered, filteredMs);
        out.flush();
    }

    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new RefusedException(0, "gave up waiting for " + what + " after " + timeout);
            }
            Thread.sleep(200);
        }
    }
}
