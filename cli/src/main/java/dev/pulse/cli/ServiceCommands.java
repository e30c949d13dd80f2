package dev.pulse.cli;

import dev.pulse.api.ApiConfig;
import dev.pulse.api.IngestApi;
import dev.pulse.query.LakeQuery;
import dev.pulse.query.QueryConfig;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.tenancy.Migrations;
import dev.pulse.worker.IngestWorker;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.usage.UsageMetering;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** One service per process, configured from PULSE_* variables (as in docker-compose.yml). */
final class ServiceCommands {
    private ServiceCommands() {
    }

    /** Blocks until the JVM is asked to stop, then closes the service. */
    static int runUntilStopped(AutoCloseable service, String name) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("pulse " + name + ": error while stopping: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, name + "-shutdown"));
        stopped.await();
        return 0;
    }

    @Command(name = "api", description = "Run ingest-api (producers and the operator control plane).", mixinStandardHelpOptions = true)
    static final class Api implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            IngestApi api = IngestApi.start(ApiConfig.from(Settings.fromEnvironment()));
            spec.commandLine().getErr().println("pulse api listening on port " + api.port());
            return runUntilStopped(api, "api");
        }
    }

    @Command(name = "worker", description = "Run ingest-worker (Kafka -> validation -> Iceberg, exactly once; DLQ).", mixinStandardHelpOptions = true)
    static final class Worker implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        /**
         * Exits 1 when the consume loop stops on an unrecoverable failure, so that the process
         * supervisor restarts it: a worker process that no longer consumes must not look alive.
         */
        @Override
        public Integer call() throws InterruptedException {
            WorkerConfig config = WorkerConfig.from(Settings.fromEnvironment());
            IngestWorker worker = IngestWorker.start(config);
            // The usage topology runs in the worker process (PULSE_USAGE_METERING), beside the loop.
            UsageMetering metering = config.usageMetering() ? UsageMetering.start(config) : null;
            Thread stopper = new Thread(() -> {
                if (metering != null) {
                    metering.close();
                }
                worker.close();
            }, "worker-shutdown");
            Runtime.getRuntime().addShutdownHook(stopper);
            while (!worker.awaitTermination(java.time.Duration.ofSeconds(5))) {
                // still consuming
            }
            if (worker.failure().isPresent()) {
                spec.commandLine().getErr().println("pulse worker: stopped: " + worker.failure().get().getMessage());
                return Pulse.REFUSED;
            }
            return 0;
        }
    }

    @Command(name = "query", description = "Run lake-query (dataset previews through sandboxed DuckDB).", mixinStandardHelpOptions = true)
    static final class Query implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            LakeQuery query = LakeQuery.start(QueryConfig.from(Settings.fromEnvironment()));
            spec.commandLine().getErr().println("pulse query listening on port " + query.port());
            return runUntilStopped(query, "query");
        }
    }

    @Command(name = "migrate", description = "Apply the database migrations with PULSE_ADMIN_DATABASE_URL and set the role logins.",
            mixinStandardHelpOptions = true)
    static final class Migrate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Settings settings = Settings.fromEnvironment();
            Migrations.MigrationResult result = Migrations.apply(
                    settings.get(PulseKeys.ADMIN_DATABASE_URL), settings.get(PulseKeys.DATABASE_URL),
                    settings.get(PulseKeys.CATALOG_DATABASE_URL), settings.get(PulseKeys.OPERATOR_DATABASE_URL));
            spec.commandLine().getOut().println("migrations applied: " + result.applied() + ", schema version " + result.schemaVersion());
            if (!result.hardened()) {
                spec.commandLine().getOut().println("PostgreSQL's shared channels (NOTIFY, large objects, statistics) are still open to PUBLIC: "
                        + "run schemas' db/hardening.sql as a superuser in this database (pulse doctor reports them)");
            }
            return 0;
        }
    }
}
