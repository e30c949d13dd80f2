package dev.pulse.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.IngestWorker;
import dev.pulse.worker.WorkerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Pulse's ingest against the broker under it, in one run on one stack: (a) Kafka's own producer
 * sending Pulse-shaped records, (b) Pulse's HTTP ingest in batches and single events, (c) the
 * worker draining a backlog into Iceberg, and freshness under steady load. See README's
 * Benchmarks for what each phase does and how the bench warms up.
 */
@Command(name = "ingest", description = "Kafka's own producer, Pulse's HTTP ingest and the worker's drain rate on one stack of its own; "
        + "their ratios and freshness under steady load.", mixinStandardHelpOptions = true)
final class IngestBench extends Verb {
    @Option(names = "--tenants", defaultValue = "4", description = "tenants (standard tier), one dataset each (default: ${DEFAULT-VALUE})")
    int tenants;
    @Option(names = "--raw-events", defaultValue = "1000000", description = "records Kafka's producer sends, after a fifth as many untimed (default: ${DEFAULT-VALUE})")
    long rawEvents;
    @Option(names = "--events", defaultValue = "200000", description = "events posted in batches, timed (default: ${DEFAULT-VALUE})")
    long events;
    @Option(names = "--batch", defaultValue = "500", description = "events per batch request (default: ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--single-events", defaultValue = "10000", description = "events posted one per request, timed (default: ${DEFAULT-VALUE})")
    long singleEvents;
    @Option(names = "--workers", defaultValue = "1",
            description = "workers of the group draining the backlog in (c): the stack's own plus N-1 more in this process, stopped after (c) (default: ${DEFAULT-VALUE})")
    int workers;
    @Option(names = "--clients", defaultValue = "8", description = "HTTP clients, each with one request in flight (default: ${DEFAULT-VALUE})")
    int clients;
    @Option(names = "--warmup-events", defaultValue = "100000",
            description = "events through the whole pipeline before anything is timed, in batches (and a tenth as many single) (default: ${DEFAULT-VALUE})")
    long warmupEvents;
    @Option(names = "--steady-rate", defaultValue = "5000", description = "events/s of the steady load freshness is measured under (default: ${DEFAULT-VALUE})")
    int steadyRate;
    @Option(names = "--steady-batch", defaultValue = "50", description = "events per request of the steady load (default: ${DEFAULT-VALUE})")
    int steadyBatch;
    @Option(names = "--steady-seconds", defaultValue = "20", description = "how long the steady load runs (default: ${DEFAULT-VALUE})")
    int steadySeconds;
    @Option(names = "--set", description = "a PULSE_* setting of the bench's stack, KEY=VALUE (repeatable), e.g. --set PULSE_WORKER_MAX_BATCH_RECORDS=20000")
    Map<String, String> settings = new LinkedHashMap<>();
    @Option(names = "--data-dir", description = "folder of the bench's stack (default: a fresh temporary folder, deleted at the end)")
    Path dataDir;
    @Option(names = "--keep", description = "keep the stack's folder afterwards")
    boolean keep;

    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);

    @Override
    void run() {
        if (workers < 1 || tenants < 1 || rawEvents < 1 || events < 1 || batch < 1 || singleEvents < 1 || clients < 1 || warmupEvents < 0 || steadyRate < 1
                || steadyBatch < 1 || steadySeconds < 1) {
            throw new ParameterException(spec.commandLine(), "every count, rate and duration must be >= 1 (--warmup-events >= 0)");
        }
        Path folder = dataDir != null ? dataDir : temporaryFolder();
        try {
            try (SoakBench.Stack stack = SoakBench.ownStack(folder, settings)) {
                stackFolder = folder;
                runOn(stack);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RefusedException(0, "bench ingest failed: " + e);
        } finally {
            if (!keep && dataDir == null) {
                SoakBench.deleteQuietly(folder);
            }
        }
    }

    /** The settings of the {@code i}th extra worker of the group: its own instance id, and no fixed metrics port. */
    private static Map<String, String> extraWorker(Map<String, String> environment, String run, int i) {
        Map<String, String> settings = new HashMap<>(environment);
        settings.put(PulseKeys.WORKER_INSTANCE_ID.name(), "bench-" + run + "-" + i);
        settings.put(PulseKeys.WORKER_METRICS_PORT.name(), "0");
        return settings;
    }

    /** The folder of the stack this bench started, whose PostgreSQL's CPU it reads (null: not read). */
    private Path stackFolder;

    /** The bench on {@code stack} (whose worker it stops and starts); the caller closes the stack. */
    void runOn(SoakBench.Stack stack) throws Exception {
        Settings env = Settings.of(stack.environment());
        Infrastructure infrastructure = Infrastructure.from(env);
        String group = env.get(PulseKeys.WORKER_GROUP);
        String run = UUID.randomUUID().toString().substring(0, 6);
        IngestLoad load = new IngestLoad(OperatorClient.apiUrl(env), "ingest-" + run);
        try (JdbcCatalog catalog = infrastructure.openCatalog(); Admin admin = infrastructure.openKafkaAdmin()) {
            Map<IngestLoad.Target, TableIdentifier> targets = createTenants(OperatorClient.fromSettings(env), admin, run);
            List<IngestLoad.Target> list = new ArrayList<>(targets.keySet());
            Backlog backlog = new Backlog(admin, group, partitions(list));

            IngestLoad.Phase raw = rawProducer(admin, infrastructure.kafkaBootstrap(), list.getFirst(), run);
            progress("(a) Kafka's producer: %,.0f records/s%n", raw.eventsPerSecond());

            // Warm-up: the same requests through the whole pipeline, untimed, so that the API and the
            // worker are compiled before anything is measured (on 2 cores the JIT takes ~1M events).
            load.post(load.requests(list, warmupEvents, batch), clients);
            load.post(load.requests(list, warmupEvents / 10, 1), clients);
            backlog.awaitDrained(CATCH_UP_TIMEOUT);
            progress("warm-up: %,d events through the pipeline%n", warmupEvents);

            stack.stopWorker();
            List<IngestLoad.Request> batches = load.requests(list, events, batch);
            Map<ThreadCpu.Role, Long> cpu0 = ThreadCpu.now();
            long pg0 = postgresNanos();
            IngestLoad.Phase batched = load.post(batches, clients);
            Map<ThreadCpu.Role, Long> cpu1 = ThreadCpu.now();
            long pg1 = postgresNanos();
            progress("(b) HTTP, %d per request: %,.0f events/s%n", batch, batched.eventsPerSecond());
            List<IngestLoad.Request> singles = load.requests(list, singleEvents, 1);
            Map<ThreadCpu.Role, Long> cpu2 = ThreadCpu.now();
            IngestLoad.Phase single = load.post(singles, clients);
            Map<ThreadCpu.Role, Long> cpu3 = ThreadCpu.now();
            progress("(b) HTTP, one per request: %,.0f events/s%n", single.eventsPerSecond());

            long pg3 = postgresNanos();
            List<IngestWorker> extra = new ArrayList<>();
            Backlog.Drain drain;
            try {
                drain = backlog.drainAfter(() -> {
                    stack.startWorker();
                    for (int i = 1; i < workers; i++) {
                        extra.add(IngestWorker.start(WorkerConfig.from(Settings.of(extraWorker(stack.environment(), run, i)))));
                    }
                }, CATCH_UP_TIMEOUT);
            } finally {
                extra.forEach(IngestWorker::close);
            }
            Map<ThreadCpu.Role, Long> cpu4 = ThreadCpu.now();
            long pg4 = postgresNanos();
            progress("(c) worker drain: %,.0f events/s%n", drain.eventsPerSecond());
            Cpu cpu = new Cpu(ThreadCpu.microsPerEvent(cpu0, cpu1, ThreadCpu.Role.API, batched.events()),
                    ThreadCpu.microsPerEvent(cpu2, cpu3, ThreadCpu.Role.API, single.events()),
                    ThreadCpu.microsPerEvent(cpu3, cpu4, ThreadCpu.Role.WORKER, drain.events()),
                    ThreadCpu.allMicrosPerEvent(cpu0, cpu1, batched.events()), ThreadCpu.allMicrosPerEvent(cpu2, cpu3, single.events()),
                    ThreadCpu.allMicrosPerEvent(cpu3, cpu4, drain.events()),
                    (pg1 - pg0) / 1e3 / batched.events(), (pg4 - pg3) / 1e3 / drain.events());

            Map<TopicPartition, Long> start = backlog.ends();
            SteadyFreshness steady = new SteadyFreshness(load);
            long began = System.nanoTime();
            List<SteadyFreshness.Sent> sent = steady.drive(list, steadyRate, steadyBatch, Duration.ofSeconds(steadySeconds));
            double seconds = (System.nanoTime() - began) / 1e9;
            backlog.awaitDrained(CATCH_UP_TIMEOUT);
            Map<IngestLoad.Target, Table> tables = new LinkedHashMap<>();
            targets.forEach((target, id) -> tables.put(target, catalog.loadTable(id)));
            SteadyFreshness.Result freshness = SteadyFreshness.measure(sent, tables, start, seconds);
            report(raw, batched, single, drain, freshness, cpu);
        }
    }

    private IngestLoad.Phase rawProducer(Admin admin, String bootstrap, IngestLoad.Target shape, String run) throws Exception {
        // A topic like a tenant's raw topic (partitions, message size limit) that the worker's
        // pattern does not match, deleted afterwards.
        String topic = "pulse-bench-" + run + ".raw";
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(shape.partitions()), Optional.empty())
                .configs(Map.of("max.message.bytes", Integer.toString(Tenants.TOPIC_MAX_MESSAGE_BYTES))))).all().get(30, TimeUnit.SECONDS);
        try {
            IngestLoad.produceRaw(bootstrap, topic, shape, run, Math.max(1, rawEvents / 5));
            return IngestLoad.produceRaw(bootstrap, topic, shape, run, rawEvents);
        } finally {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
    }

    private Map<IngestLoad.Target, TableIdentifier> createTenants(OperatorClient operator, Admin admin, String run) throws Exception {
        Map<IngestLoad.Target, TableIdentifier> created = new LinkedHashMap<>();
        for (int t = 0; t < tenants; t++) {
            String slug = "ingest-" + run + "-" + t;
            BenchTenants.Created tenant = BenchTenants.create(operator, slug, "standard", IngestLoad.DATASET);
            // The bench measures how fast the pipeline can go, not the tier's rate limit: lift it.
            operator.put("/admin/v1/tenants/" + slug + "/limits",
                    OperatorClient.JSON.createObjectNode().put("events_per_second", 10_000_000L).put("bytes_per_second", 10_737_418_240L));
            int partitions = SoakBench.partitions(admin, Topics.raw(tenant.id())).size();
            created.put(new IngestLoad.Target(slug, tenant.id(), tenant.key(), partitions), tenant.table());
        }
        return created;
    }

    private static List<TopicPartition> partitions(List<IngestLoad.Target> targets) {
        List<TopicPartition> out = new ArrayList<>();
        for (IngestLoad.Target t : targets) {
            for (int p = 0; p < t.partitions(); p++) {
                out.add(new TopicPartition(Topics.raw(t.id()), p));
            }
        }
        return out;
    }

    /** The bench tenants' raw partitions against the worker group's committed offsets. */
    private static final class Backlog {
        private final Admin admin;
        private final String group;
        private final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();

        Backlog(Admin admin, String group, List<TopicPartition> partitions) {
            this.admin = admin;
            this.group = group;
            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        }

        /** How the worker drained: events from its start, and the rate once its first commit landed. */
        record Drain(long events, double secondsFromStart, double secondsToFirstCommit, long eventsAfterFirstCommit, double secondsAfterFirstCommit) {
            double eventsPerSecond() {
                return eventsAfterFirstCommit / secondsAfterFirstCommit;
            }
        }

        Map<TopicPartition, Long> ends() throws Exception {
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        }

        private long committed() throws Exception {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return latest.keySet().stream().mapToLong(tp -> Optional.ofNullable(committed.get(tp)).map(OffsetAndMetadata::offset).orElse(0L)).sum();
        }

        void awaitDrained(Duration timeout) throws Exception {
            long end = ends().values().stream().mapToLong(Long::longValue).sum();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (committed() < end) {
                if (System.nanoTime() > deadline) {
                    throw new RefusedException(0, "the worker did not catch up within " + timeout);
                }
                Thread.sleep(20); // polling interval of a benchmark client
            }
        }

        /** Starts the worker on the backlog and times it until the group's offsets reach the log ends. */
        Drain drainAfter(Runnable startWorker, Duration timeout) throws Exception {
            long end = ends().values().stream().mapToLong(Long::longValue).sum();
            long before = committed();
            long started = System.nanoTime();
            startWorker.run();
            long deadline = started + timeout.toNanos();
            long firstAt = -1;
            long firstCommitted = before;
            long now;
            long committed;
            while ((committed = committed()) < end) {
                now = System.nanoTime();
                if (firstAt < 0 && committed > before) {
                    firstAt = now;
                    firstCommitted = committed;
                }
                if (now > deadline) {
                    throw new RefusedException(0, "the worker did not drain the backlog within " + timeout);
                }
                Thread.sleep(20); // polling interval of a benchmark client
            }
            long finished = System.nanoTime();
            if (firstAt < 0) { // drained in one commit
                firstAt = started;
                firstCommitted = before;
            }
            return new Drain(end - before, (finished - started) / 1e9, (firstAt - started) / 1e9, end - firstCommitted, (finished - firstAt) / 1e9);
        }
    }

    /**
     * CPU microseconds per event: the API's threads in each HTTP phase, the worker's loop thread
     * while it drained, and every thread of the process in each (PostgreSQL, a process of its own, is not in them).
     */
    /** CPU µs per event: the API's and the worker's threads, the whole JVM, and the stack's PostgreSQL server (a process of its own). */
    record Cpu(double apiBatch, double apiSingle, double workerDrain, double jvmBatch, double jvmSingle, double jvmDrain, double postgresBatch,
            double postgresDrain) {
    }

    private long postgresNanos() {
        return stackFolder == null ? 0 : PostgresCpu.nanos(stackFolder);
    }

    private void report(IngestLoad.Phase raw, IngestLoad.Phase batched, IngestLoad.Phase single, Backlog.Drain drain, SteadyFreshness.Result f, Cpu cpu) {
        ObjectNode json = OperatorClient.JSON.createObjectNode();
        json.put("tenants", tenants).put("workers", workers).put("clients", clients).put("batch", batch).put("warmup_events", warmupEvents)
                .put("cores", Runtime.getRuntime().availableProcessors());
        ObjectNode rawJson = phase(json.putObject("raw_producer"), raw);
        IngestLoad.rawProducerSettings().forEach(rawJson.putObject("settings")::put);
        phase(json.putObject("http_batch"), batched);
        phase(json.putObject("http_single"), single);
        json.putObject("drain").put("events", drain.events()).put("seconds_from_start", round(drain.secondsFromStart()))
                .put("seconds_to_first_commit", round(drain.secondsToFirstCommit())).put("events_per_second", round(drain.eventsPerSecond()));
        json.putObject("ratios").put("http_batch_over_raw", round(batched.eventsPerSecond() / raw.eventsPerSecond()))
                .put("http_single_over_raw", round(single.eventsPerSecond() / raw.eventsPerSecond()))
                .put("drain_over_raw", round(drain.eventsPerSecond() / raw.eventsPerSecond()))
                .put("drain_over_http_batch", round(drain.eventsPerSecond() / batched.eventsPerSecond()));
        json.putObject("cpu_us_per_event").put("api_batch", round(cpu.apiBatch())).put("api_single", round(cpu.apiSingle()))
                .put("worker_drain", round(cpu.workerDrain())).put("jvm_batch", round(cpu.jvmBatch())).put("jvm_single", round(cpu.jvmSingle()))
                .put("jvm_drain", round(cpu.jvmDrain())).put("postgres_batch", round(cpu.postgresBatch()))
                .put("postgres_drain", round(cpu.postgresDrain()));
        json.putObject("freshness").put("rate", steadyRate).put("requests", f.requests()).put("events", f.events()).put("seconds", round(f.seconds()))
                .put("p50_ms", round(f.p50Millis())).put("p99_ms", round(f.p99Millis())).put("max_ms", round(f.maxMillis()))
                .put("not_visible", f.notVisible()).put("data_files", f.dataFiles()).put("rows_per_file", round(f.recordsPerFile()))
                .put("bytes_per_file", Math.round(f.bytesPerFile()));
        String text = String.format(Locale.ROOT, """
                bench ingest: %d tenants, %d HTTP clients, %d worker(s) draining, warm-up %,d events through the pipeline; %d cores
                (a) Kafka's producer (acks=all, idempotent, lz4)   %,10.0f records/s  (%,d in %.2f s)
                (b) HTTP, %d events per request               %,10.0f events/s   (%,d in %.2f s)  %.2fx (a)
                (b) HTTP, one event per request                %,10.0f events/s   (%,d in %.2f s)  %.2fx (a)
                (c) worker draining a backlog into Iceberg     %,10.0f events/s   (%,d in %.2f s from its start, first commit after %.2f s)  %.2fx (a), %.2fx (b)
                CPU per event: API %.1f µs in batches, %.1f µs one per request; worker %.1f µs draining
                  (whole JVM, broker and bench clients included: %.1f, %.1f and %.1f µs; PostgreSQL %.1f µs in batches, %.1f µs draining)
                freshness at %,d events/s: %s""", tenants, clients, workers, warmupEvents, Runtime.getRuntime().availableProcessors(),
                raw.eventsPerSecond(), raw.events(), raw.seconds(),
                batch, batched.eventsPerSecond(), batched.events(), batched.seconds(), batched.eventsPerSecond() / raw.eventsPerSecond(),
                single.eventsPerSecond(), single.events(), single.seconds(), single.eventsPerSecond() / raw.eventsPerSecond(),
                drain.eventsPerSecond(), drain.events(), drain.secondsFromStart(), drain.secondsToFirstCommit(),
                drain.eventsPerSecond() / raw.eventsPerSecond(), drain.eventsPerSecond() / batched.eventsPerSecond(),
                cpu.apiBatch(), cpu.apiSingle(), cpu.workerDrain(), cpu.jvmBatch(), cpu.jvmSingle(), cpu.jvmDrain(), cpu.postgresBatch(), cpu.postgresDrain(), steadyRate, SteadyFreshness.describe(f));
        emit(json, text);
    }

    private static ObjectNode phase(ObjectNode node, IngestLoad.Phase p) {
        return node.put("events", p.events()).put("seconds", round(p.seconds())).put("events_per_second", round(p.eventsPerSecond()));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Progress goes to stderr, so that {@code --json} keeps stdout one document. */
    private void progress(String format, Object... args) {
        spec.commandLine().getErr().printf(Locale.ROOT, "[" + java.time.LocalTime.now().withNano(0) + "] " + format, args);
        spec.commandLine().getErr().flush();
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("pulse-bench-ingest");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the bench's stack", e);
        }
    }
}
