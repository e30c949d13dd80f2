package dev.pulse.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real infrastructure, embedded: a PostgreSQL server, a KRaft Kafka broker, and a warehouse
 * folder, all under one data directory. {@code pulse dev} keeps that directory between runs, so
 * tenants, keys and data survive a restart; tests use a temporary one.
 *
 * <p>It knows nothing about Pulse's schema: migrations are the caller's job (they live in
 * {@code schemas}). It hands out the connection settings as {@code PULSE_*} variables.
 */
public final class DevStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

    private final Path dataDir;
    private final EmbeddedPostgresServer postgres;
    private final EmbeddedKafkaBroker kafka;
    private final Map<String, String> environment;

    private DevStack(Path dataDir, EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka, Map<String, String> environment) {
        this.dataDir = dataDir;
        this.postgres = postgres;
        this.kafka = kafka;
        this.environment = environment;
    }

    /** Starts (or restarts) the stack whose state lives in {@code dataDir}. */
    public static DevStack start(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        long started = System.nanoTime();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DevStackException("cannot create " + dir, e);
        }
        // Before the ports are chosen: an orphaned server still holds the database's port.
        OrphanedPostmaster.stopIfRunning(dir.resolve("postgres").resolve("data"));
        StackState state = StackState.load(dir);
        String adminPassword = state.secret("postgres.admin.password");
        String appPassword = state.secret("postgres.app.password");
        String catalogPassword = state.secret("postgres.catalog.password");
        String operatorPassword = state.secret("postgres.operator.password");
        String operatorToken = "pulse_op_" + state.secret("operator.token");
        String clusterId = state.value("kafka.cluster.id", () -> Uuid.randomUuid().toString());
        int pgPort = state.port("postgres.port", 0);
        int brokerPort = state.port("kafka.broker.port", 0);
        int controllerPort = state.port("kafka.controller.port", 0);
        state.save();

        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), pgPort, adminPassword);
        EmbeddedKafkaBroker kafka;
        try {
            kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), clusterId, brokerPort, controllerPort);
        } catch (RuntimeException e) {
            closeQuietly(postgres, e);
            throw e;
        }
        Path warehouse = dir.resolve("warehouse");
        try {
            Files.createDirectories(warehouse);
        } catch (IOException e) {
            throw new DevStackException("cannot create " + warehouse, e);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PULSE_ADMIN_DATABASE_URL", postgres.jdbcUrl(EmbeddedPostgresServer.ADMIN_ROLE, adminPassword, null));
        env.put("PULSE_DATABASE_URL", postgres.jdbcUrl("pulse_app", appPassword, null));
        env.put("PULSE_OPERATOR_DATABASE_URL", postgres.jdbcUrl("pulse_operator", operatorPassword, null));
        env.put("PULSE_CATALOG_DATABASE_URL", postgres.jdbcUrl("pulse_catalog", catalogPassword, "currentSchema=pulse_catalog"));
        env.put("PULSE_KAFKA_BOOTSTRAP", kafka.bootstrap());
        env.put("PULSE_WAREHOUSE", warehouse.toString());
        env.put("PULSE_OPERATOR_TOKEN", operatorToken);
        LOG.info("devstack up in {} ms: postgres 127.0.0.1:{}, kafka {}, warehouse {}",
                (System.nanoTime() - started) / 1_000_000, postgres.port(), kafka.bootstrap(), warehouse);
        return new DevStack(dir, postgres, kafka, Map.copyOf(env));
    }

    /** The PULSE_* settings that reach this stack (database URLs carry their credentials). */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The bootstrap superuser's URL (loopback, no password). Only for tests that must prove a
     * service refuses to run as a superuser, and for devstack's own set-up; never in pulse.env.
     */
    public String superuserJdbcUrl() {
        return postgres.jdbcUrl("postgres", "", null).replace("&password=", "");
    }

    public String kafkaBootstrap() {
        return kafka.bootstrap();
    }

    /**
     * Stops PostgreSQL (a fast shutdown, as a restart or failover would) and keeps its data: for
     * tests of what the services do while the database is away. {@link #startPostgres} brings it back.
     */
    public void stopPostgres() {
        try {
            postgres.stop();
        } catch (IOException e) {
            throw new DevStackException("embedded PostgreSQL did not stop cleanly", e);
        }
        LOG.info("devstack: postgres stopped (127.0.0.1:{})", postgres.port());
    }

    /** Starts PostgreSQL again after {@link #stopPostgres}, on the same port and data directory: the URLs stay valid. */
    public void startPostgres() {
        long started = System.nanoTime();
        postgres.restart();
        LOG.info("devstack: postgres started again in {} ms (127.0.0.1:{})", (System.nanoTime() - started) / 1_000_000, postgres.port());
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            kafka.close();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            DevStackException pgFailure = new DevStackException("embedded PostgreSQL did not stop cleanly", e);
            if (failure == null) {
                failure = pgFailure;
            } else {
                failure.addSuppressed(pgFailure);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(EmbeddedPostgresServer postgres, RuntimeException cause) {
        try {
            postgres.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
