package dev.pulse.worker.usage;

import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.usage.UsageTopic;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.WorkerConfig;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage topology running in the worker process ({@code pulse worker}, {@code pulse dev}): one
 * Kafka Streams application, {@value #APPLICATION_ID}, exactly_once_v2, shared by every worker
 * process that runs it (they split the usage topic's partitions), with its own database pool.
 * A stream thread that fails (the database down longer than the retries) is replaced after a
 * pause; its task starts again from the last committed state, and the totals it writes again are
 * the same.
 */
public final class UsageMetering implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageMetering.class);
    public static final String APPLICATION_ID = "pulse-usage";
    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REPLACE_PAUSE = Duration.ofSeconds(2);

    private final KafkaStreams streams;
    private final TenantDatabase db;

    private UsageMetering(KafkaStreams streams, TenantDatabase db) {
        this.streams = streams;
        this.db = db;
    }

    /** Creates the usage topic if missing, then starts the application; returns without waiting for its first assignment. */
    public static UsageMetering start(WorkerConfig config) {
        try (Admin admin = config.infrastructure().openKafkaAdmin()) {
            UsageTopic.ensure(admin);
        }
        TenantDatabase db = config.infrastructure().openDatabase("usage");
        try {
            db.requireSafeRuntimeRole();
            UsageSink sink = new UsageSink(db, new RetryPolicy(config.maxRetries(), config.retryBackoff()));
            KafkaStreams streams = new KafkaStreams(UsageTopology.build(sink), properties(config));
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("usage topology thread failed; replacing it in {}", REPLACE_PAUSE, e);
                LockSupport.parkNanos(REPLACE_PAUSE.toNanos());
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.start();
            LOG.info("usage metering started (application {}, state in {})", APPLICATION_ID, config.usageStateDir());
            return new UsageMetering(streams, db);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    static Properties properties(WorkerConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.infrastructure().kafkaBootstrap());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.usageStateDir().toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // Totals reach PostgreSQL at each commit (the cache flushes first): at most one write per tenant and minute per second.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(COMMIT_INTERVAL.toMillis()));
        // A killed process's tasks move after the worker's own session timeout, not Kafka's 45 s.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), Integer.toString(config.sessionTimeoutMs()));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), Integer.toString(Math.max(100, config.sessionTimeoutMs() / 3)));
        return p;
    }

    /** The application's state (RUNNING once it has its partitions). */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Stops after the current commit and leaves the group, so another process takes the partitions at once. */
    @Override
    public void close() {
        try {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(CLOSE_TIMEOUT));
        } finally {
            db.close();
        }
    }
}
