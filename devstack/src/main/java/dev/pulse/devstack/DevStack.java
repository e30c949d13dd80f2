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
 * folder (or, with {@link Warehouse#OBJECT_STORE}, a bucket of an S3-compatible server in a JVM of
 * its own), all under one data directory. {@code pulse dev} keeps that directory between runs, so
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
    private final EmbeddedS3Server s3;
    private final Map<String, String> environment;

    /** Where the stack keeps the tables' files. */
    public enum Warehouse {
        /** A folder under the data directory (the default). */
        FOLDER,
        /** The bucket {@value #BUCKET} of an S3-compatible server (S3Proxy), written through Iceberg's S3FileIO. */
        OBJECT_STORE;

        public static final String BUCKET = "pulse-warehouse";
    }

    private DevStack(Path dataDir, EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka, EmbeddedS3Server s3,
            Map<String, String> environment) {
        this.dataDir = dataDir;
        this.postgres = postgres;
        this.kafka = kafka;
        this.s3 = s3;
        this.environment = environment;
    }

    /** Starts (or restarts) the stack whose state lives in {@code dataDir}, with its warehouse in a folder. */
    public static DevStack start(Path dataDir) {
        return start(dataDir, Warehouse.FOLDER);
    }

    /** Starts (or restarts) the stack whose state lives in {@code dataDir}. */
    public static DevStack start(Path dataDir, Warehouse warehouseKind) {
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
        // A stack made before the object-store option recorded no kind: it has a folder.
        boolean madeBefore = state.has("kafka.cluster.id");
        String adminPassword = state.secret("postgres.admin.password");
        String appPassword = state.secret("postgres.app.password");
        String catalogPassword = state.secret("postgres.catalog.password");
        String operatorPassword = state.secret("postgres.operator.password");
        String operatorToken = "pulse_op_" + state.secret("operator.token");
        String clusterId = state.value("kafka.cluster.id", () -> Uuid.randomUuid().toString());
        int pgPort = state.port("postgres.port", 0);
        int brokerPort = state.port("kafka.broker.port", 0);
        int controllerPort = state.port("kafka.controller.port", 0);
        String kindAtCreation = state.value("warehouse", () -> madeBefore ? Warehouse.FOLDER.name() : warehouseKind.name());
        if (!kindAtCreation.equals(warehouseKind.name())) {
            // The catalog's tables point at files of the other kind: they would all be unreadable.
            throw new DevStackException("the stack in " + dir + " keeps its warehouse " + (kindAtCreation.equals(Warehouse.FOLDER.name())
                    ? "in a folder: start it without --object-store" : "in an object store: start it with --object-store")
                    + ", or use another data folder", null);
        }
        int s3Port = warehouseKind == Warehouse.OBJECT_STORE ? state.port("s3.port", 0) : 0;
        String s3Secret = warehouseKind == Warehouse.OBJECT_STORE ? state.secret("s3.secret.key") : null;
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
        EmbeddedS3Server s3 = null;
        if (warehouseKind == Warehouse.OBJECT_STORE) {
            try {
                s3 = EmbeddedS3Server.start(dir.resolve("s3"), s3Port, Warehouse.BUCKET, "pulse", s3Secret);
            } catch (RuntimeException e) {
                kafka.close();
                closeQuietly(postgres, e);
                throw e;
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PULSE_ADMIN_DATABASE_URL", postgres.jdbcUrl(EmbeddedPostgresServer.ADMIN_ROLE, adminPassword, null));
        env.put("PULSE_DATABASE_URL", postgres.jdbcUrl("pulse_app", appPassword, null));
        env.put("PULSE_OPERATOR_DATABASE_URL", postgres.jdbcUrl("pulse_operator", operatorPassword, null));
        env.put("PULSE_CATALOG_DATABASE_URL", postgres.jdbcUrl("pulse_catalog", catalogPassword, "currentSchema=pulse_catalog"));
        env.put("PULSE_KAFKA_BOOTSTRAP", kafka.bootstrap());
        if (s3 == null) {
            env.put("PULSE_WAREHOUSE", warehouse.toString());
        } else {
            env.put("PULSE_WAREHOUSE", "s3://" + Warehouse.BUCKET + "/warehouse");
            env.put("PULSE_S3_ENDPOINT", s3.endpoint());
            env.put("PULSE_S3_ACCESS_KEY_ID", s3.accessKey());
            env.put("PULSE_S3_SECRET_ACCESS_KEY", s3.secretKey());
            env.put("PULSE_QUERY_CACHE_DIR", dir.resolve("query-cache").toString());
        }
        env.put("PULSE_OPERATOR_TOKEN", operatorToken);
        LOG.info("devstack up in {} ms: postgres 127.0.0.1:{}, kafka {}, warehouse {}",
                (System.nanoTime() - started) / 1_000_000, postgres.port(), kafka.bootstrap(), env.get("PULSE_WAREHOUSE"));
        return new DevStack(dir, postgres, kafka, s3, Map.copyOf(env));
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

    /** Kills the S3 server (an object-store outage); {@link #startObjectStore} brings it back with every object. */
    public void stopObjectStore() {
        requireObjectStore().stop();
        LOG.info("devstack: S3 server stopped");
    }

    /** Starts the S3 server again after {@link #stopObjectStore}, on the same port and folder. */
    public void startObjectStore() {
        requireObjectStore().restart();
    }

    private EmbeddedS3Server requireObjectStore() {
        if (s3 == null) {
            throw new IllegalStateException("this stack keeps its warehouse in a folder, not in an object store");
        }
        return s3;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        if (s3 != null) {
            s3.close();
        }
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
