package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.api.ApiConfig;
import dev.pulse.api.IngestApi;
import dev.pulse.devstack.DevStack;
import dev.pulse.devstack.DevStackException;
import dev.pulse.query.LakeQuery;
import dev.pulse.query.QueryConfig;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.tenancy.Migrations;
import dev.pulse.worker.IngestWorker;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.usage.UsageMetering;
import dev.pulse.worker.metrics.MetricsEndpoint;
import dev.pulse.worker.metrics.WorkerMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pulse dev}: the whole pipeline in one process on real embedded infrastructure. State
 * lives in the data directory, so a restart keeps tenants, keys and data.
 */
@Command(name = "dev", description = "Start PostgreSQL, Kafka, the warehouse and all three services in one process.",
        mixinStandardHelpOptions = true)
final class DevCommand implements Callable<Integer> {
    static final String DEMO_TENANT = "demo";
    static final String DEMO_SCHEMA = "page-view";
    static final String DEMO_DATASET = "page-views";

    @Spec
    CommandSpec spec;
    @Option(names = "--data-dir", defaultValue = ".pulse", description = "where the stack keeps its state (default: ${DEFAULT-VALUE})")
    Path dataDir;
    @Option(names = "--api-port", defaultValue = "8080", description = "ingest-api port (default: ${DEFAULT-VALUE})")
    int apiPort;
    @Option(names = "--query-port", defaultValue = "8081", description = "lake-query port (default: ${DEFAULT-VALUE})")
    int queryPort;
    @Option(names = "--worker-metrics-port", defaultValue = "8082", description = "port of the worker's GET /metrics (default: ${DEFAULT-VALUE})")
    int workerMetricsPort;
    @Option(names = "--object-store", description = "keep the warehouse in a bucket of an S3-compatible server (S3Proxy, started with the stack) "
            + "written through Iceberg's S3FileIO, instead of a folder; fixed when the data folder is made")
    boolean objectStore;

    /** The running pipeline; closing it stops everything in reverse order of starting. */
    static final class Running implements AutoCloseable {
        private final Deque<AutoCloseable> started = new ArrayDeque<>();
        final Map<String, String> environment;
        final Path envFile;
        final IngestApi api;
        final SupervisedWorker worker;
        final LakeQuery query;

        Running(Path dataDir, int apiPort, int queryPort) {
            this(dataDir, apiPort, queryPort, Map.of());
        }

        /** {@code settings}: {@code PULSE_*} values the services read beside the stack's own (a bench's maintenance settings). */
        Running(Path dataDir, int apiPort, int queryPort, Map<String, String> settings) {
            this(dataDir, apiPort, queryPort, 0, settings);
        }

        /** {@code workerMetricsPort}: where the worker's {@code GET /metrics} listens (0: any free port, as in the tests). */
        Running(Path dataDir, int apiPort, int queryPort, int workerMetricsPort, Map<String, String> settings) {
            this(dataDir, apiPort, queryPort, workerMetricsPort, settings, DevStack.Warehouse.FOLDER);
        }

        Running(Path dataDir, int apiPort, int queryPort, int workerMetricsPort, Map<String, String> settings, DevStack.Warehouse warehouse) {
            DevStack stack = DevStack.start(dataDir, warehouse);
            started.push(stack);
            try {
                Map<String, String> env = new LinkedHashMap<>(stack.environment());
                env.putAll(settings);
                Settings stackSettings = Settings.of(env);
                Migrations.apply(stackSettings.get(PulseKeys.ADMIN_DATABASE_URL), stackSettings.get(PulseKeys.DATABASE_URL),
                        stackSettings.get(PulseKeys.CATALOG_DATABASE_URL), stackSettings.get(PulseKeys.OPERATOR_DATABASE_URL));
                Migrations.harden(stack.superuserJdbcUrl());
                // Loopback only, a stable worker instance id, the broker's least session timeout: see PulseKeys.devDefaults().
                PulseKeys.devDefaults().forEach(env::putIfAbsent);
                env.put(PulseKeys.API_PORT.name(), Integer.toString(apiPort));
                env.put(PulseKeys.QUERY_PORT.name(), Integer.toString(queryPort));
                env.put(PulseKeys.WORKER_METRICS_PORT.name(), Integer.toString(workerMetricsPort));
                api = IngestApi.start(ApiConfig.from(Settings.of(env)));
                started.push(api);
                env.put(PulseKeys.API_PORT.name(), Integer.toString(api.port()));
                env.put(PulseKeys.API_URL.name(), "http://127.0.0.1:" + api.port());
                // The usage topology's state lives with the rest of the stack's (Kafka Streams state.dir).
                env.putIfAbsent(PulseKeys.USAGE_STATE_DIR.name(), stack.dataDir().resolve("usage").toAbsolutePath().toString());
                WorkerConfig workerConfig = WorkerConfig.from(Settings.of(env));
                worker = new SupervisedWorker(workerConfig);
                started.push(worker);
                env.put(PulseKeys.WORKER_METRICS_PORT.name(), Integer.toString(worker.metricsPort()));
                if (workerConfig.usageMetering()) {
                    started.push(UsageMetering.start(workerConfig));
                }
                query = LakeQuery.start(QueryConfig.from(Settings.of(env)));
                started.push(query);
                env.put(PulseKeys.QUERY_PORT.name(), Integer.toString(query.port()));
                env.put(PulseKeys.QUERY_URL.name(), "http://127.0.0.1:" + query.port());
                // The key that signs certificates of deletion (README, "Tenant lifecycle"): made once per data dir.
                env.putIfAbsent(PulseKeys.DELETION_SIGNING_KEY.name(),
                        stack.dataDir().resolve("deletion-signing-key.pem").toAbsolutePath().toString());
                dev.pulse.control.lifecycle.deletion.SigningKey.loadOrGenerate(Path.of(env.get(PulseKeys.DELETION_SIGNING_KEY.name())));
                environment = Map.copyOf(env);
                envFile = writeEnvFile(stack.dataDir(), env);
            } catch (RuntimeException e) {
                closeQuietly(e);
                throw e;
            }
        }

        private void closeQuietly(RuntimeException cause) {
            try {
                close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }

        @Override
        public void close() throws Exception {
            Exception failure = null;
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * The worker of {@code pulse dev}, restarted after a pause when its loop stops on a failure
     * (a database or broker outage longer than its retries), as a process supervisor would.
     */
    static final class SupervisedWorker implements AutoCloseable {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SupervisedWorker.class);
        /** Between a worker's stop and its successor's start, and between failed starts. */
        private static final java.time.Duration RESTART_PAUSE = java.time.Duration.ofSeconds(5);
        private final WorkerConfig config;
        /** One registry for every worker the supervisor starts, so that counters keep counting across restarts. */
        private final WorkerMetrics metrics;
        private final MetricsEndpoint metricsEndpoint;
        private final Thread supervisor;
        private volatile IngestWorker current;
        private volatile boolean closing;
        private volatile boolean stopped;

        SupervisedWorker(WorkerConfig config) {
            this.config = config;
            this.metrics = WorkerMetrics.create(config.metrics());
            MetricsEndpoint endpoint = null;
            try {
                endpoint = MetricsEndpoint.start(metrics.service(), config.metricsListener());
                this.current = IngestWorker.start(config, metrics);
            } catch (RuntimeException e) {
                if (endpoint != null) {
                    endpoint.close();
                }
                metrics.close();
                throw e;
            }
            this.metricsEndpoint = endpoint;
            this.supervisor = Thread.ofPlatform().daemon().name("pulse-dev-worker-supervisor").start(this::supervise);
        }

        private void supervise() {
            try {
                while (!closing) {
                    IngestWorker watched = current;
                    if (!watched.awaitTermination(java.time.Duration.ofSeconds(1))) {
                        continue;
                    }
                    synchronized (this) {
                        // A planned stop (stop(), then start()) is not a failure to recover from.
                        if (closing || stopped || watched != current) {
                            this.wait(1_000);
                            continue;
                        }
                        LOG.error("ingest worker stopped ({}); restarting it in {} s",
                                watched.failure().map(Throwable::getMessage).orElse("no failure recorded"), RESTART_PAUSE.toSeconds());
                        watched.close();
                    }
                    restart(watched);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Starts a successor every {@link #RESTART_PAUSE} until one starts, as a process supervisor
         * with {@code Restart=always} would: while PostgreSQL or the broker is still away a start
         * fails (the pool's start-up check gives up after 10 s), and giving up there left
         * {@code pulse dev} without a worker until someone restarted it.
         */
        private void restart(IngestWorker watched) throws InterruptedException {
            for (int attempt = 1; ; attempt++) {
                Thread.sleep(RESTART_PAUSE.toMillis());
                synchronized (this) {
                    if (closing || stopped || watched != current) {
                        return;
                    }
                    try {
                        current = IngestWorker.start(config, metrics);
                        LOG.info("ingest worker restarted (attempt {})", attempt);
                        return;
                    } catch (RuntimeException e) {
                        LOG.error("ingest worker could not be restarted (attempt {}): {}; trying again in {} s", attempt, e.getMessage(),
                                RESTART_PAUSE.toSeconds());
                    }
                }
            }
        }

        /** Stops the worker cleanly (it leaves the group) and keeps it stopped until {@link #start()}: a planned restart. */
        synchronized void stop() {
            stopped = true;
            current.close();
        }

        /** Starts a new worker after {@link #stop()}, as a process supervisor restarting the service would. */
        synchronized void start() {
            if (!stopped) {
                throw new IllegalStateException("the worker is running; stop() it first");
            }
            current = IngestWorker.start(config, metrics);
            stopped = false;
            notifyAll();
        }

        @Override
        public void close() throws InterruptedException {
            closing = true;
            supervisor.interrupt();
            supervisor.join(java.time.Duration.ofSeconds(10));
            synchronized (this) {
                if (!stopped) {
                    current.close();
                }
            }
            metricsEndpoint.close();
            metrics.close();
        }

        int metricsPort() {
            return metricsEndpoint.port();
        }
    }

    /**
     * The stack of {@code pulse bench soak}: the whole pipeline of {@code pulse dev} in the bench's
     * folder, with the bench's worker settings, and a worker the bench stops and starts. Loaded by
     * name ({@link SoakBench#ownStack}), like this command, so that nothing else links to devstack.
     */
    static final class BenchStack implements SoakBench.Stack {
        private final Running running;
        private final boolean owned;

        BenchStack(Path dataDir, Map<String, String> settings) {
            this(new Running(dataDir, 0, 0, settings), true);
        }

        private BenchStack(Running running, boolean owned) {
            this.running = running;
            this.owned = owned;
        }

        /** The bench on a stack someone else started (and stops). */
        static BenchStack borrowing(Running running) {
            return new BenchStack(running, false);
        }

        @Override
        public Map<String, String> environment() {
            return running.environment;
        }

        @Override
        public void stopWorker() {
            running.worker.stop();
        }

        @Override
        public void startWorker() {
            running.worker.start();
        }

        @Override
        public void close() throws Exception {
            if (owned) {
                running.close();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Running running;
        try {
            running = new Running(dataDir, apiPort, queryPort, workerMetricsPort, Map.of(),
                    objectStore ? DevStack.Warehouse.OBJECT_STORE : DevStack.Warehouse.FOLDER);
        } catch (DevStackException e) {
            if (e.getCause() != null) {
                throw e;
            }
            // A refusal of the stack's own (the data folder's warehouse kind, the S3 server's jar): one line, exit 2.
            throw new RefusedException(2, e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                RunningStack.forget(RunningStack.pointer(), running.envFile);
                running.close();
            } catch (Exception e) {
                System.err.println("pulse dev: error while stopping: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "pulse-dev-shutdown"));
        DemoTenant demo = DemoTenant.ensure(running.environment, dataDir.toAbsolutePath().normalize());
        // Every other verb of this user finds this stack, whatever --data-dir says.
        RunningStack.record(RunningStack.pointer(), running.envFile);
        out.println(banner(running, demo, dataDir.toAbsolutePath().normalize()));
        out.flush();
        stopped.await();
        return 0;
    }

    static Path writeEnvFile(Path dataDir, Map<String, String> env) {
        Path file = dataDir.resolve("pulse.env");
        StringBuilder text = new StringBuilder("# Written by `pulse dev`: how to reach this stack. Contains credentials; keep private.\n");
        env.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Files.writeString(file, text);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file is still written
        }
        return file;
    }

    /** The demo tenant, schema, dataset and key, created on first start; the key is kept in the data dir. */
    record DemoTenant(String key) {
        static DemoTenant ensure(Map<String, String> env, Path dataDir) {
            Path keyFile = dataDir.resolve("demo.properties");
            Properties saved = new Properties();
            if (Files.exists(keyFile)) {
                try (var reader = Files.newBufferedReader(keyFile)) {
                    saved.load(reader);
                    return new DemoTenant(saved.getProperty("key"));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + keyFile, e);
                }
            }
            OperatorClient client = OperatorClient.fromSettings(Settings.of(env));
            client.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", DEMO_TENANT).put("name", "Demo tenant"));
            ObjectNode schema = OperatorClient.JSON.createObjectNode().put("name", DEMO_SCHEMA);
            schema.set("definition", demoSchema());
            client.post("/admin/v1/tenants/" + DEMO_TENANT + "/schemas", schema);
            client.post("/admin/v1/tenants/" + DEMO_TENANT + "/datasets",
                    OperatorClient.JSON.createObjectNode().put("slug", DEMO_DATASET).put("schema", DEMO_SCHEMA));
            ObjectNode keyRequest = OperatorClient.JSON.createObjectNode().put("name", "demo");
            keyRequest.putArray("scopes").add("ingest").add("query");
            JsonNode key = client.post("/admin/v1/tenants/" + DEMO_TENANT + "/keys", keyRequest);
            saved.setProperty("key", key.path("key").asText());
            try (var writer = Files.newBufferedWriter(keyFile)) {
                saved.store(writer, "pulse dev demo key (ingest, query); keep private");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + keyFile, e);
            }
            return new DemoTenant(saved.getProperty("key"));
        }

        static JsonNode demoSchema() {
            try {
                return OperatorClient.JSON.readTree("""
                        {
                          "$schema": "https://json-schema.org/draft/2020-12/schema",
                          "type": "object",
                          "properties": {
                            "url": {"type": "string"},
                            "user_id": {"type": "string"},
                            "duration_ms": {"type": "integer"},
                            "bounced": {"type": "boolean"}
                          },
                          "required": ["url"]
                        }""");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static String banner(Running running, DemoTenant demo, Path dataDir) {
        String api = running.environment.get(PulseKeys.API_URL.name());
        String query = running.environment.get(PulseKeys.QUERY_URL.name());
        String envHint = dataDir.equals(Path.of(".pulse").toAbsolutePath().normalize())
                ? "" : "\n  (other pulse commands find it through " + RunningStack.pointer() + ", or export PULSE_ENV_FILE="
                        + running.envFile + ")";
        return """

                Pulse is running.
                  ingest API  %s   (GET /healthz)
                  lake query  %s   (GET /healthz)
                  metrics     GET /metrics on both, and on the worker at http://127.0.0.1:%s/metrics (Bearer: the operator token)
                  state       %s   (connection settings: %s)%s

                Demo: tenant '%s', dataset '%s' (schema '%s'), key with scopes ingest,query.

                Post an event:
                  curl -sS -X POST %s/v1/events \\
                    -H 'Authorization: Bearer %s' \\
                    -H 'Content-Type: application/json' \\
                    -d '{"dataset":"%s","data":{"url":"/pricing","user_id":"u-42","duration_ms":1234}}'

                Preview it (visible within a second or two):
                  curl -sS '%s/v1/datasets/%s/preview?limit=10' \\
                    -H 'Authorization: Bearer %s'

                Press Ctrl-C to stop everything.""".formatted(
                api, query, running.environment.get(PulseKeys.WORKER_METRICS_PORT.name()), dataDir, running.envFile, envHint,
                DEMO_TENANT, DEMO_DATASET, DEMO_SCHEMA,
                api, demo.key(), DEMO_DATASET,
                query, DEMO_DATASET, demo.key());
    }
}
