package dev.pulse.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.config.ConfigKey;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.lake.TableStats;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.maintain.MaintenanceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * What a lake looks like after thousands of small commits, with lake maintenance on or off.
 *
 * <p>The bench starts a stack of its own (the whole pipeline of {@code pulse dev}, in a fresh
 * folder), because it must choose the worker's maintenance settings and restart the worker. It
 * creates {@code --tenants} tenants with one dataset each and drives rounds through the real
 * pipeline: one small request ({@code --events-per-commit} events) per tenant to {@code POST
 * /v1/events}, then it waits until the worker group's committed offsets reach the end of every raw
 * topic, so each round is one worker batch and one table commit per tenant. After a warm-up long
 * enough for maintenance to reach its steady state (every snapshot of the keep-all window kept, the
 * older ones expired), it takes the start figures, drives {@code --commits} more commits and takes
 * the end figures: metadata bytes, snapshots and data files per table, the p50 of a preview over
 * the first tenant's table through lake-query's HTTP API, and the worker's restart to first commit
 * (a clean stop, one request posted while it is down, a start, the time until that commit is in
 * the tenant's ledger).
 *
 * <p>Time is compressed: the keep-all window and the maintenance interval default to a minute and
 * ten seconds (the service defaults are ten minutes and a minute) so that a run of minutes shows
 * the steady state a service reaches after its keep-all window.
 */
@Command(name = "soak", description = "Thousands of small commits over many tenants on a stack of its own, with lake maintenance on or off; "
        + "lake figures at the start and at the end.", mixinStandardHelpOptions = true)
final class SoakBench extends Verb {
    @Option(names = "--tenants", defaultValue = "100", description = "tenants, one dataset each (default: ${DEFAULT-VALUE})")
    int tenants;
    @Option(names = "--commits", defaultValue = "10000", description = "table commits between the start and the end figures (default: ${DEFAULT-VALUE})")
    int commits;
    @Option(names = "--events-per-commit", defaultValue = "5", description = "events in each tenant's request of a round (default: ${DEFAULT-VALUE})")
    int eventsPerCommit;
    @Option(names = "--maintenance", defaultValue = "on", description = "on or off: whether the worker maintains the lake (default: ${DEFAULT-VALUE})")
    String maintenance;
    @Option(names = "--keep-all", defaultValue = "PT1M", description = "PULSE_SNAPSHOT_KEEP_ALL of the bench's worker (default: ${DEFAULT-VALUE})")
    Duration keepAll;
    @Option(names = "--retention", defaultValue = "PT1H",
            description = "how long the bench's worker keeps hourly time-travel points, for every tier (default: ${DEFAULT-VALUE}: one point)")
    Duration retention;
    @Option(names = "--maintenance-interval", defaultValue = "PT10S",
            description = "PULSE_MAINTENANCE_INTERVAL of the bench's worker (default: ${DEFAULT-VALUE})")
    Duration maintenanceInterval;
    @Option(names = "--warmup", description = "how long to drive commits before the start figures (default: twice keep-all + maintenance interval)")
    Duration warmup;
    @Option(names = "--tier", defaultValue = "standard", description = "tier of the bench's tenants (default: ${DEFAULT-VALUE})")
    String tier;
    @Option(names = "--previews", defaultValue = "21", description = "timed previews for the p50, after 3 untimed (default: ${DEFAULT-VALUE})")
    int previews;
    @Option(names = "--restarts", defaultValue = "3", description = "worker restarts timed for the median (default: ${DEFAULT-VALUE})")
    int restarts;
    @Option(names = "--pace", defaultValue = "0.8", description = "after the first half of the warm-up, rounds run at this fraction of the rate "
            + "it reached, to the end (0: as fast as they go; default: ${DEFAULT-VALUE})")
    double pace;
    @Option(names = "--at-visit", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "with maintenance on, take each set of figures right after maintenance visited every table (default: ${DEFAULT-VALUE})")
    boolean atVisit;
    @Option(names = "--concurrency", defaultValue = "4", description = "requests in flight while posting a round (default: ${DEFAULT-VALUE})")
    int concurrency;
    @Option(names = "--data-dir", description = "folder of the bench's stack (default: a fresh temporary folder, deleted at the end)")
    Path dataDir;
    @Option(names = "--keep", description = "keep the stack's folder afterwards")
    boolean keep;

    private static final String DATASET = "events";
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(5);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The stack the bench drives: the whole pipeline, and a worker it may stop and start. */
    interface Stack extends AutoCloseable {
        Map<String, String> environment();

        /** A clean stop: the worker finishes its batch and leaves the group. */
        void stopWorker();

        void startWorker();
    }

    record BenchTenant(int index, String slug, TenantId id, String key, TableIdentifier table, List<TopicPartition> partitions) {
    }

    /** The p50 and the largest value over the bench's tables. */
    record Spread(long p50, long max) {
        static Spread of(long[] values) {
            long[] sorted = values.clone();
            Arrays.sort(sorted);
            return new Spread(sorted[(sorted.length - 1) / 2], sorted[sorted.length - 1]);
        }
    }

    record Figures(Spread commitsPerMinute, Spread currentMetadataBytes, Spread metadataFolderBytes, Spread metadataFiles, Spread snapshots, Spread tags, Spread dataFiles,
            Spread dataFilesOnDisk, double previewP50Millis, double restartToFirstCommitMillis) {
    }

    record Phase(long commits, double seconds) {
        double commitsPerSecond() {
            return commits / seconds;
        }
    }

    @Override
    void run() {
        boolean maintained = switch (maintenance) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new ParameterException(spec.commandLine(), "--maintenance must be on or off, not " + maintenance);
        };
        if (tenants < 1 || commits < 1 || eventsPerCommit < 1 || previews < 1 || restarts < 1 || concurrency < 1) {
            throw new ParameterException(spec.commandLine(), "need --tenants, --commits, --events-per-commit, --previews, --restarts and --concurrency >= 1");
        }
        if (!(pace >= 0 && pace <= 1)) {
            throw new ParameterException(spec.commandLine(), "--pace must be between 0 and 1, not " + pace);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(PulseKeys.MAINTENANCE_ENABLED.name(), Boolean.toString(maintained));
        settings.put(PulseKeys.MAINTENANCE_INTERVAL.name(), maintenanceInterval.toString());
        settings.put(PulseKeys.SNAPSHOT_KEEP_ALL.name(), keepAll.toString());
        for (ConfigKey<Duration> key : List.of(PulseKeys.SNAPSHOT_RETENTION_FREE, PulseKeys.SNAPSHOT_RETENTION, PulseKeys.SNAPSHOT_RETENTION_ENTERPRISE)) {
            settings.put(key.name(), retention.toString());
        }
        Path folder = dataDir != null ? dataDir : temporaryFolder();
        try {
            try (Stack stack = ownStack(folder, settings)) {
                runOn(stack);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RefusedException(0, "bench soak failed: " + e);
        } finally {
            if (!keep && dataDir == null) {
                deleteQuietly(folder);
            }
        }
    }

    /** The bench on {@code stack}, with the maintenance settings its worker has; the caller closes the stack. */
    void runOn(Stack stack) throws Exception {
        Settings env = Settings.of(stack.environment());
        MaintenanceConfig worker = WorkerConfig.from(env).maintenance();
        boolean maintained = worker.enabled();
        Map<String, String> settings = new LinkedHashMap<>();
        for (ConfigKey<?> key : List.of(PulseKeys.MAINTENANCE_ENABLED, PulseKeys.MAINTENANCE_INTERVAL, PulseKeys.SNAPSHOT_KEEP_ALL,
                PulseKeys.SNAPSHOT_RETENTION_FREE, PulseKeys.SNAPSHOT_RETENTION, PulseKeys.SNAPSHOT_RETENTION_ENTERPRISE)) {
            settings.put(key.name(), env.get(key).toString());
        }
        // Twice the window a table keeps every snapshot of: the start figures see a window filled at
        // the steady commit rate, not the first slow commits of a cold JVM.
        Duration warmupTime = warmup != null ? warmup : worker.keepAll().plus(worker.interval()).multipliedBy(2);
        Duration keepAllWindow = worker.keepAll().isZero() ? Duration.ofMinutes(1) : worker.keepAll();
        Infrastructure infrastructure = Infrastructure.from(env);
        String apiUrl = OperatorClient.apiUrl(env);
        String queryUrl = OperatorClient.queryUrl(env);
        String group = env.get(PulseKeys.WORKER_GROUP);
        progress("bench soak: %d tenants (%s), %,d commits of %d events, maintenance %s (%s)%n", tenants, tier, commits, eventsPerCommit,
                maintained ? "on" : "off", settings);
        try (TenantDatabase db = infrastructure.openDatabase("bench-soak");
                JdbcCatalog catalog = infrastructure.openCatalog();
                Admin admin = infrastructure.openKafkaAdmin();
                ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<BenchTenant> created = createTenants(OperatorClient.fromSettings(env), admin, pool);
            Driver driver = new Driver(apiUrl, db, admin, group, created, pool);

            long started = System.nanoTime();
            long before = driver.tableCommits(catalog);
            // Kept snapshots and the files they hold follow the commit rate over the keep-all
            // window, not the table's age; a run as fast as it goes compares a cold JVM's rate with a
            // warm one's. So the first half of the warm-up finds the rate, and every round after it
            // is paced below it: the windows before the start and the end figures see the same rate.
            while (driver.rounds == 0 || System.nanoTime() - started < warmupTime.toNanos() / 2) {
                driver.round();
            }
            double reached = driver.rounds / ((System.nanoTime() - started) / 1e9);
            double paced = driver.paceAt(reached * pace);
            progress("first half of the warm-up: %.2f rounds/s; paced at %s%n", reached,
                    paced > 0 ? String.format(Locale.ROOT, "%.2f rounds/s", paced) : "none");
            while (System.nanoTime() - started < warmupTime.toNanos()) {
                driver.round();
            }
            Phase warm = new Phase(driver.tableCommits(catalog) - before, (System.nanoTime() - started) / 1e9);
            progress("warm-up: %,d commits in %.1f s (%.1f commits/s)%n", warm.commits(), warm.seconds(), warm.commitsPerSecond());
            awaitMaintenanceVisit(db, created, worker);
            Figures start = figures(driver, catalog, queryUrl, stack, created, keepAllWindow);
            progress("start figures taken%n");

            started = System.nanoTime();
            before = driver.tableCommits(catalog);
            int rounds = (commits + tenants - 1) / tenants;
            for (int r = 0; r < rounds; r++) {
                driver.round();
                if ((r + 1) % Math.max(1, 1000 / tenants) == 0) {
                    progress("  %,d of %,d rounds, %.0f s%n", r + 1, rounds, (System.nanoTime() - started) / 1e9);
                }
            }
            Phase main = new Phase(driver.tableCommits(catalog) - before, (System.nanoTime() - started) / 1e9);
            awaitMaintenanceVisit(db, created, worker);
            Figures end = figures(driver, catalog, queryUrl, stack, created, keepAllWindow);
            report(maintained, settings, paced * tenants, warm, main, start, end);
        }
    }

    /** Round-robin over the tenants, one request each, then wait until the worker committed all of it. */
    private final class Driver {
        private final String apiUrl;
        private final TenantDatabase db;
        private final Admin admin;
        private final String group;
        private final List<BenchTenant> tenants;
        private final ExecutorService pool;
        private final Map<TopicPartition, OffsetSpec> ends = new LinkedHashMap<>();
        int rounds;
        private long posted;
        private long roundNanos;
        private long lastRound;

        Driver(String apiUrl, TenantDatabase db, Admin admin, String group, List<BenchTenant> tenants, ExecutorService pool) {
            this.apiUrl = apiUrl;
            this.db = db;
            this.admin = admin;
            this.group = group;
            this.tenants = tenants;
            this.pool = pool;
            tenants.forEach(t -> t.partitions().forEach(p -> ends.put(p, OffsetSpec.latest())));
        }

        /** Rounds start at most {@code roundsPerSecond} apart from now on (0: as fast as they go); returns the pace set. */
        double paceAt(double roundsPerSecond) {
            roundNanos = roundsPerSecond > 0 ? (long) (1e9 / roundsPerSecond) : 0;
            return roundsPerSecond > 0 ? roundsPerSecond : 0;
        }

        void round() throws Exception {
            long due = lastRound + roundNanos;
            long wait = due - System.nanoTime();
            if (roundNanos > 0 && wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // the bench's pace
            }
            lastRound = System.nanoTime();
            List<Callable<Void>> requests = new ArrayList<>();
            for (BenchTenant tenant : tenants) {
                requests.add(() -> {
                    post(tenant);
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(requests)) {
                f.get();
            }
            awaitCaughtUp();
            rounds++;
        }

        void post(BenchTenant tenant) throws IOException, InterruptedException {
            ArrayNode body = OperatorClient.JSON.createArrayNode();
            Instant now = Instant.now();
            long n;
            synchronized (this) {
                n = posted;
                posted += eventsPerCommit;
            }
            for (int i = 0; i < eventsPerCommit; i++) {
                ObjectNode event = body.addObject().put("dataset", DATASET).put("event_id", "soak-" + (n + i)).put("timestamp", now.toString());
                event.putObject("data").put("url", "/page/" + ((n + i) % 97)).put("user_id", "u-" + ((n + i) % 1000)).put("duration_ms", (n + i) % 5000);
            }
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/events"))
                    .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                throw new RefusedException(response.statusCode(), "POST /v1/events answered " + response.statusCode() + ": " + response.body());
            }
        }

        /** Until the group's committed offsets reach the end of every bench tenant's raw topic. */
        void awaitCaughtUp() throws InterruptedException, ExecutionException, TimeoutException {
            long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                var end = admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                boolean caughtUp = end.entrySet().stream().allMatch(e -> {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    return (c == null ? 0 : c.offset()) >= e.getValue().offset();
                });
                if (caughtUp) {
                    return;
                }
                Thread.sleep(20); // polling interval of a benchmark client
            }
            throw new RefusedException(0, "the worker did not commit a round within " + CATCH_UP_TIMEOUT);
        }

        /**
         * The offsets through which the tenant's records are committed, summed over its partitions:
         * it grows with every worker commit and never shrinks (ledger pruning keeps each
         * partition's newest entry), unlike a count of the ledger's rows.
         */
        long committedThrough(BenchTenant tenant) {
            return db.inTenant(tenant.id(), tx -> tx.query("""
                    SELECT coalesce(sum(newest), 0) FROM (
                        SELECT max(next_offset) AS newest FROM pulse.ingest_commits WHERE dataset_slug = ? GROUP BY kafka_partition) p""",
                    rs -> rs.getLong(1), DATASET).getFirst());
        }

        /** Worker commits to the tenant's table in the last {@code window}: what the keep-all window holds. */
        long recentCommits(BenchTenant tenant, Duration window) {
            return db.inTenant(tenant.id(), tx -> tx.query("""
                    SELECT count(DISTINCT snapshot_id) FROM pulse.ingest_commits
                     WHERE dataset_slug = ? AND committed_at > now() - make_interval(secs => ?)""",
                    rs -> rs.getLong(1), DATASET, (double) window.toMillis() / 1000).getFirst());
        }

        /**
         * Commits to the bench's tables so far: each snapshot a commit adds takes the table's next
         * sequence number (the worker's appends and maintenance's rewrites; expiry and tags add none).
         */
        long tableCommits(JdbcCatalog catalog) {
            return tenants.stream().mapToLong(t -> ((HasTableOperations) catalog.loadTable(t.table())).operations().current().lastSequenceNumber()).sum();
        }
    }

    private List<BenchTenant> createTenants(OperatorClient operator, Admin admin, ExecutorService pool) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<Callable<BenchTenant>> creations = new ArrayList<>();
        for (int t = 0; t < tenants; t++) {
            int index = t;
            creations.add(() -> {
                String slug = "soak-" + run + "-" + index;
                BenchTenants.Created made = BenchTenants.create(operator, slug, tier, DATASET);
                return new BenchTenant(index, slug, made.id(), made.key(), made.table(), partitions(admin, Topics.raw(made.id())));
            });
        }
        long started = System.nanoTime();
        List<BenchTenant> created = new ArrayList<>();
        for (Future<BenchTenant> f : pool.invokeAll(creations)) {
            created.add(f.get());
        }
        created.sort(Comparator.comparingInt(BenchTenant::index));
        progress("created %d tenants in %.1f s%n", tenants, (System.nanoTime() - started) / 1e9);
        return created;
    }

    /** The topic's partitions; a topic just created may take a moment to reach the broker's metadata. */
    static List<TopicPartition> partitions(Admin admin, String topic) throws InterruptedException, TimeoutException {
        for (int attempt = 1; ; attempt++) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                        .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || attempt == 50) {
                    throw new RefusedException(0, "cannot describe " + topic + ": " + e.getCause());
                }
                Thread.sleep(100); // polling interval of a benchmark client
            }
        }
    }

    /**
     * With maintenance on, waits until it visited every bench table after the driving stopped, so
     * that the start and the end figures are taken at the same point of its cycle (a table holds up
     * to one interval of commits more just before a visit than just after one).
     */
    private void awaitMaintenanceVisit(TenantDatabase db, List<BenchTenant> created, MaintenanceConfig worker) throws Exception {
        if (!worker.enabled() || !atVisit) {
            return;
        }
        Instant since = Instant.now();
        long deadline = System.nanoTime() + worker.interval().multipliedBy(3).plus(Duration.ofMinutes(1)).toNanos();
        for (BenchTenant tenant : created) {
            while (!visitedSince(db, tenant, since)) {
                if (System.nanoTime() > deadline) {
                    throw new RefusedException(0, "maintenance did not visit " + tenant.table() + " within three intervals and a minute");
                }
                Thread.sleep(100); // polling interval of a benchmark client
            }
        }
    }

    private static boolean visitedSince(TenantDatabase db, BenchTenant tenant, Instant since) {
        return db.inTenant(tenant.id(), tx -> tx.query("SELECT count(*) FROM pulse.dataset_maintenance WHERE dataset_slug = ? AND last_run_at > ?",
                rs -> rs.getLong(1), DATASET, since).getFirst()) > 0;
    }

    private Figures figures(Driver driver, JdbcCatalog catalog, String queryUrl, Stack stack, List<BenchTenant> created, Duration keepAllWindow)
            throws Exception {
        int n = created.size();
        long[] current = new long[n];
        long[] folder = new long[n];
        long[] metadataFiles = new long[n];
        long[] snapshots = new long[n];
        long[] tags = new long[n];
        long[] files = new long[n];
        long[] onDisk = new long[n];
        long[] perMinute = new long[n];
        for (int i = 0; i < n; i++) {
            perMinute[i] = Math.round(driver.recentCommits(created.get(i), keepAllWindow) * 60_000.0 / keepAllWindow.toMillis());
            Table table = catalog.loadTable(created.get(i).table());
            TableStats stats = TableStats.of(table);
            current[i] = stats.currentMetadataBytes();
            folder[i] = stats.metadataFolderBytes() == null ? -1 : stats.metadataFolderBytes();
            metadataFiles[i] = countFiles(table, "metadata/", ".metadata.json");
            snapshots[i] = stats.snapshots();
            tags[i] = table.refs().values().stream().filter(SnapshotRef::isTag).count();
            files[i] = stats.dataFiles();
            onDisk[i] = countFiles(table, "data/", ".parquet");
        }
        double preview = previewP50(queryUrl, created.getFirst());
        double[] restartMillis = new double[restarts];
        for (int i = 0; i < restarts; i++) {
            restartMillis[i] = restartToFirstCommit(driver, stack, created.getFirst());
        }
        Arrays.sort(restartMillis);
        return new Figures(Spread.of(perMinute), Spread.of(current), Spread.of(folder), Spread.of(metadataFiles), Spread.of(snapshots), Spread.of(tags), Spread.of(files),
                Spread.of(onDisk), preview, restartMillis[(restarts - 1) / 2]);
    }

    /** Files under the table's folder {@code under} whose name ends with {@code suffix}; -1 when the FileIO cannot list. */
    private static long countFiles(Table table, String under, String suffix) {
        if (!(table.io() instanceof SupportsPrefixOperations listing)) {
            return -1;
        }
        String root = table.location().endsWith("/") ? table.location() : table.location() + "/";
        long count = 0;
        for (FileInfo f : listing.listPrefix(root + under)) {
            if (f.location().endsWith(suffix)) {
                count++;
            }
        }
        return count;
    }

    /** Newest-first preview of the tenant's table through lake-query's HTTP API, as an analyst calls it. */
    private double previewP50(String queryUrl, BenchTenant tenant) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(queryUrl + "/v1/datasets/" + DATASET + "/preview?limit=100"))
                .header("Authorization", "Bearer " + tenant.key()).build();
        double[] millis = new double[previews];
        for (int i = -3; i < previews; i++) {
            long t = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new RefusedException(response.statusCode(), "preview answered " + response.statusCode() + ": " + response.body());
            }
            if (i >= 0) {
                millis[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(millis);
        return millis[(millis.length - 1) / 2];
    }

    /**
     * A planned restart of the worker: a clean stop, one request posted while it is down, a start;
     * the time from the start until that request's commit is in the tenant's ledger.
     */
    private double restartToFirstCommit(Driver driver, Stack stack, BenchTenant tenant) throws Exception {
        stack.stopWorker();
        long before = driver.committedThrough(tenant);
        driver.post(tenant);
        long started = System.nanoTime();
        stack.startWorker();
        long deadline = started + CATCH_UP_TIMEOUT.toNanos();
        while (driver.committedThrough(tenant) == before) {
            if (System.nanoTime() > deadline) {
                throw new RefusedException(0, "no commit within " + CATCH_UP_TIMEOUT + " of restarting the worker");
            }
            Thread.sleep(10); // polling interval of a benchmark client
        }
        double millis = (System.nanoTime() - started) / 1e6;
        driver.awaitCaughtUp();
        return millis;
    }

    private void report(boolean maintained, Map<String, String> settings, double pacedCommitsPerSecond, Phase warm, Phase main, Figures start, Figures end) {
        ObjectNode json = OperatorClient.JSON.createObjectNode();
        json.put("tenants", tenants).put("tier", tier).put("events_per_commit", eventsPerCommit).put("maintenance", maintained);
        ObjectNode worker = json.putObject("worker_settings");
        settings.forEach(worker::put);
        json.put("paced_commits_per_second", pacedCommitsPerSecond > 0 ? round(pacedCommitsPerSecond) : null);
        json.putObject("warmup").put("commits", warm.commits()).put("seconds", round(warm.seconds())).put("commits_per_second", round(warm.commitsPerSecond()));
        json.putObject("run").put("commits", main.commits()).put("seconds", round(main.seconds())).put("commits_per_second", round(main.commitsPerSecond()));
        json.set("start", figuresJson(start));
        json.set("end", figuresJson(end));
        ObjectNode ratio = json.putObject("end_over_start");
        List<String[]> rows = new ArrayList<>();
        for (String[] f : FIGURES) {
            double s = value(start, f[0]);
            double e = value(end, f[0]);
            ratio.put(f[0], s == 0 ? null : round(e / s));
            rows.add(new String[] {f[1], format(s, f[2]), format(e, f[2]), s == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", e / s)});
        }
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "bench soak: %d tenants, maintenance %s; warm-up %,d commits in %.0f s (%.1f/s); run %,d commits in %.0f s (%.1f/s)%n",
                tenants, maintained ? "on" : "off", warm.commits(), warm.seconds(), warm.commitsPerSecond(), main.commits(), main.seconds(),
                main.commitsPerSecond()));
        if (pacedCommitsPerSecond > 0) {
            text.append(String.format(Locale.ROOT, "paced at %.1f commits/s (%.2f of the rate the warm-up's first half reached)%n", pacedCommitsPerSecond, pace));
        }
        text.append(String.format(Locale.ROOT, "%-42s %12s %12s %9s%n", "per table", "start", "end", "end/start"));
        for (String[] r : rows) {
            text.append(String.format(Locale.ROOT, "%-42s %12s %12s %9s%n", (Object[]) r));
        }
        emit(json, text.toString().stripTrailing());
        out().flush();
    }

    /** Key, label, unit of each figure, in the order printed. */
    private static final String[][] FIGURES = {
        {"commits_per_minute_p50", "commits/min over the keep-all window, p50", "count"},
        {"current_metadata_bytes_p50", "current metadata file, p50", "bytes"},
        {"current_metadata_bytes_max", "current metadata file, max", "bytes"},
        {"metadata_folder_bytes_p50", "metadata folder, p50", "bytes"},
        {"metadata_folder_bytes_max", "metadata folder, max", "bytes"},
        {"metadata_files_max", "*.metadata.json files, max", "count"},
        {"snapshots_p50", "snapshots, p50", "count"},
        {"snapshots_max", "snapshots, max", "count"},
        {"tags_max", "hourly time-travel tags, max", "count"},
        {"data_files_p50", "data files (current snapshot), p50", "count"},
        {"data_files_max", "data files (current snapshot), max", "count"},
        {"data_files_on_disk_p50", "data files on disk, p50", "count"},
        {"data_files_on_disk_max", "data files on disk, max", "count"},
        {"preview_p50_ms", "preview p50 (first tenant's table)", "ms"},
        {"restart_to_first_commit_ms", "worker restart to first commit, median", "ms"},
    };

    private static ObjectNode figuresJson(Figures f) {
        ObjectNode json = OperatorClient.JSON.createObjectNode();
        for (String[] k : FIGURES) {
            double v = value(f, k[0]);
            if (k[2].equals("ms")) {
                json.put(k[0], round(v));
            } else {
                json.put(k[0], (long) v);
            }
        }
        return json;
    }

    private static double value(Figures f, String key) {
        return switch (key) {
            case "commits_per_minute_p50" -> f.commitsPerMinute().p50();
            case "current_metadata_bytes_p50" -> f.currentMetadataBytes().p50();
            case "current_metadata_bytes_max" -> f.currentMetadataBytes().max();
            case "metadata_folder_bytes_p50" -> f.metadataFolderBytes().p50();
            case "metadata_folder_bytes_max" -> f.metadataFolderBytes().max();
            case "metadata_files_max" -> f.metadataFiles().max();
            case "tags_max" -> f.tags().max();
            case "snapshots_p50" -> f.snapshots().p50();
            case "snapshots_max" -> f.snapshots().max();
            case "data_files_p50" -> f.dataFiles().p50();
            case "data_files_max" -> f.dataFiles().max();
            case "data_files_on_disk_p50" -> f.dataFilesOnDisk().p50();
            case "data_files_on_disk_max" -> f.dataFilesOnDisk().max();
            case "preview_p50_ms" -> f.previewP50Millis();
            case "restart_to_first_commit_ms" -> f.restartToFirstCommitMillis();
            default -> throw new IllegalArgumentException(key);
        };
    }

    private static String format(double value, String unit) {
        return switch (unit) {
            case "bytes" -> value >= 1 << 20 ? String.format(Locale.ROOT, "%.2f MB", value / (1 << 20))
                    : String.format(Locale.ROOT, "%.1f KB", value / 1024);
            case "ms" -> String.format(Locale.ROOT, "%.0f ms", value);
            default -> String.format(Locale.ROOT, "%,.0f", value);
        };
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Progress goes to stderr, so that {@code --json} keeps stdout one document. */
    private void progress(String format, Object... args) {
        spec.commandLine().getErr().printf(Locale.ROOT, format, args);
        spec.commandLine().getErr().flush();
    }

    /**
     * The stack of {@code pulse dev}, loaded by name as {@code pulse dev} is: the production
     * artifact carries no embedded infrastructure, and nothing outside {@code DevCommand} links to it.
     */
    static Stack ownStack(Path folder, Map<String, String> settings) {
        try {
            Class.forName(Pulse.DEV_STACK_CLASS, false, SoakBench.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new RefusedException(0, "bench soak starts an embedded stack of its own, which this build does not carry: "
                    + "run ./pulse bench soak from a clone of the repository");
        }
        try {
            return (Stack) Class.forName("dev.pulse.cli.DevCommand$BenchStack").getDeclaredConstructor(Path.class, Map.class)
                    .newInstance(folder, settings);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("cannot start the bench's stack", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start the bench's stack", e);
        }
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("pulse-bench-soak");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the bench's stack", e);
        }
    }

    static void deleteQuietly(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a benchmark's leftovers in the temporary folder; nothing to fail for
        }
    }
}
