package dev.pulse.worker;

import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.usage.UsageTopic;
import dev.pulse.worker.consume.CrashPoints;
import dev.pulse.worker.dedup.EventIdClaims;
import dev.pulse.worker.dlq.DeadLetterIndexer;
import dev.pulse.worker.consume.IngestLoop;
import dev.pulse.worker.consume.TenantAffineAssignor;
import dev.pulse.worker.maintain.MaintenanceScheduler;
import dev.pulse.worker.maintain.TableMaintenance;
import dev.pulse.worker.consume.WatermarkWriter;
import dev.pulse.worker.metrics.MetricsEndpoint;
import dev.pulse.worker.metrics.WorkerMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running ingest worker: the consume loop on its own thread, with its database pool, catalog,
 * consumer and transactional producer. {@link #start} returns once everything is connected and
 * checked; {@link #close} stops after the batch in flight and closes the clients.
 */
public final class IngestWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestWorker.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** How long an assignment waits for stable group offsets before reading the last completed ones. */
    private static final Duration STABLE_OFFSETS_WAIT = Duration.ofSeconds(15);

    private final TenantDatabase db;
    private final JdbcCatalog catalog;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final Admin admin;
    private final IngestLoop loop;
    private final MaintenanceScheduler maintenance;
    private final WatermarkWriter watermarks;
    private DeadLetterIndexer deadLetters;
    private final Thread thread;
    private final WorkerMetrics metrics;
    private final WorkerMetrics.Sources observed;
    /** The metrics and their endpoint when this worker made them ({@link #start(WorkerConfig)}), closed with it; else null. */
    private final OwnedMetrics ownedMetrics;
    private volatile Throwable failure;

    /** A worker's own {@code GET /metrics}: its registry and the endpoint serving it. */
    private record OwnedMetrics(WorkerMetrics metrics, MetricsEndpoint endpoint) implements AutoCloseable {
        @Override
        public void close() {
            endpoint.close();
            metrics.close();
        }
    }

    private IngestWorker(TenantDatabase db, JdbcCatalog catalog, Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer, Admin admin, IngestLoop loop, WorkerConfig config, WorkerMetrics metrics,
            OwnedMetrics ownedMetrics) {
        this.metrics = metrics;
        this.ownedMetrics = ownedMetrics;
        this.db = db;
        this.catalog = catalog;
        this.consumer = consumer;
        this.producer = producer;
        this.admin = admin;
        this.loop = loop;
        this.watermarks = new WatermarkWriter(db, loop);
        this.observed = new WorkerMetrics.Sources(consumer::metrics, watermarks::completeThroughByTenant);
        // An Error ends the thread where it happened (runLoop): say so in the log, not only on
        // stderr, and keep it as the failure, so that `pulse worker` exits non-zero.
        this.thread = Thread.ofPlatform().name("pulse-ingest-worker")
                .uncaughtExceptionHandler((t, e) -> {
                    failure = e;
                    LOG.error("ingest worker thread died", e);
                }).unstarted(this::runLoop);
        // Lake maintenance of the tenants whose partition 0 this worker owns, on its own low-priority
        // threads; a loop that died (a killed process) maintains nothing any more.
        this.maintenance = config.maintenance().enabled()
                ? new MaintenanceScheduler(db, new TableMaintenance(db, catalog, config.maintenance()),
                        () -> thread.isAlive() ? loop.tenantsToMaintain() : java.util.Set.of(), config.maintenance())
                : null;
    }

    /** A worker with its own {@code GET /metrics} on {@code PULSE_WORKER_METRICS_PORT}, stopped with it. */
    public static IngestWorker start(WorkerConfig config) {
        return start(config, CrashPoints.NONE, KafkaClients.NEW);
    }

    /**
     * A worker reporting to {@code metrics}, which outlives it and whoever made it serves
     * ({@code pulse dev}'s supervised worker: counters keep counting across restarts).
     */
    public static IngestWorker start(WorkerConfig config, WorkerMetrics metrics) {
        return start(config, CrashPoints.NONE, KafkaClients.NEW, metrics, null);
    }

    /** With the hooks the crash tests use: a {@link CrashPoints} that kills the loop, and the clients it then drops. */
    static IngestWorker start(WorkerConfig config, CrashPoints crashPoints, KafkaClients clients) {
        WorkerMetrics metrics = WorkerMetrics.create(config.metrics());
        OwnedMetrics owned;
        try {
            owned = new OwnedMetrics(metrics, MetricsEndpoint.start(metrics.service(), config.metricsListener()));
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        try {
            return start(config, crashPoints, clients, metrics, owned);
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    private static IngestWorker start(WorkerConfig config, CrashPoints crashPoints, KafkaClients clients, WorkerMetrics metrics,
            OwnedMetrics owned) {
        TenantDatabase db = config.infrastructure().openDatabase("worker");
        JdbcCatalog catalog = null;
        Consumer<byte[], byte[]> consumer = null;
        Producer<byte[], byte[]> producer = null;
        Admin admin = null;
        try {
            db.requireSafeRuntimeRole();
            db.reportTo(metrics.registry());
            catalog = config.infrastructure().openCatalog();
            admin = config.infrastructure().openKafkaAdmin();
            // Each batch's Kafka transaction writes usage records (dead letters, rows landed) there.
            UsageTopic.ensure(admin);
            producer = clients.producer(producerProperties(config));
            // Before the consumer joins and asks for committed offsets: fences a predecessor with the
            // same transactional id and has the broker finish (commit or abort) its open transaction,
            // so the offsets it wrote become stable instead of blocking the first assignment.
            producer.initTransactions();
            consumer = clients.consumer(consumerProperties(config));
            IngestLoop loop = new IngestLoop(consumer, producer, db, catalog,
                    new RetryPolicy(config.maxRetries(), config.retryBackoff()), config.commitInterval(), crashPoints,
                    new GroupOffsets(admin, config.group(), STABLE_OFFSETS_WAIT),
                    new IngestLoop.TenantBackoff(config.tenantBackoff(), config.tenantBackoffMax()), new BrokerLogEnds(admin),
                    new EventIdClaims(db, new RetryPolicy(config.maxRetries(), config.retryBackoff()), config.dedupWindow()),
                    new IngestLoop.Fairness(config.maxBatchRecords(), config.tenants(), config.commitThreads()), metrics);
            IngestWorker worker = new IngestWorker(db, catalog, consumer, producer, admin, loop, config, metrics, owned);
            worker.thread.start();
            worker.watermarks.start();
            metrics.observe(worker.observed);
            // The dead-letter store follows the committed DLQ topics (dlq.DeadLetterIndexer); it stops with the loop.
            worker.deadLetters = DeadLetterIndexer.start(db, config.infrastructure().kafkaBootstrap(), config.group() + ".dlq-index",
                    config.dlqParkAfter(), worker.thread::isAlive);
            if (worker.maintenance != null) {
                worker.maintenance.start();
            }
            LOG.info("ingest worker started: group {} ({} tenants), transactional id {}", config.group(), config.tenants().wireName(),
                    config.transactionalId());
            return worker;
        } catch (RuntimeException e) {
            closeAll(e, producer, consumer, admin, catalog, db);
            throw e;
        }
    }

    static Properties consumerProperties(WorkerConfig config) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.infrastructure().kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "pulse-worker-" + config.instanceId());
        // Dynamic membership, deliberately not static (group.instance.id): a static member that
        // rejoins a Stable group gets its cached assignment back without a rebalance, so a tenant's
        // topic created meanwhile stayed unassigned across every restart (seen in DevCrashIT). A
        // killed member is instead dropped after the session timeout (PULSE_WORKER_SESSION_TIMEOUT_MS,
        // 10 s by default, 6 s under pulse dev: the broker's group.min.session.timeout.ms).
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The pattern subscription sees a new tenant's topic at the next metadata refresh.
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        // One tenant's topic whole on one member (TenantAffineAssignor), so that one tenant's tables
        // have one writer in the group; cooperative: a new tenant's topic moves only its own
        // partitions, so the others are not revoked, re-sought and reconciled every time a tenant is
        // created. The cooperative sticky assignor second, so that a rolling upgrade from a build
        // without the first keeps one protocol the whole group supports until every member has it.
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                TenantAffineAssignor.class.getName() + "," + CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxBatchRecords()));
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(config.fetchMinBytes()));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Long.toString(config.commitInterval().toMillis()));
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(config.sessionTimeoutMs()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(Math.max(100, config.sessionTimeoutMs() / 3)));
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.toString(config.maxPollIntervalMs()));
        return p;
    }

    static Properties producerProperties(WorkerConfig config) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.infrastructure().kafkaBootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "pulse-worker-dlq-" + config.instanceId());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // A dead letter carries the original record (up to the API's 1 MiB event limit plus its
        // envelope) and headers; tenant topics accept 4 MiB (Tenants), the client default is 1 MiB.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(config.transactionTimeoutMs()));
        return p;
    }

    /**
     * Runs the loop; when it ends, by a stop or by a failure, closes its Kafka clients. An
     * {@link Error} (the JVM's trouble, not the loop's) is not caught: the thread dies as it is,
     * like a killed process, and its open transaction waits for the successor to fence it. The
     * crash tests kill the loop at its {@link CrashPoints} that way.
     */
    private void runLoop() {
        try {
            loop.run();
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("ingest worker stopped on an unrecoverable failure", e);
        }
        closeClients();
    }

    private void closeClients() {
        closeAll(null, producer);
        try {
            // A static member stays in the group after close() unless told: a clean stop hands its
            // partitions to the other replicas at once.
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        } catch (RuntimeException e) {
            LOG.warn("closing the consumer failed: {}", e.toString());
        }
    }

    /** True while the loop thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** The failure that stopped the loop, if one did: an exception it gave up on, or an {@link Error} that killed its thread. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Waits for the loop to end by itself (a failure); true when it ended within the timeout. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.close();
        }
        loop.stop();
        try {
            if (!thread.join(STOP_TIMEOUT)) {
                LOG.error("ingest worker did not stop within {}; closing the database and catalog anyway", STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        metrics.forget(observed);
        closeAll(null, deadLetters, watermarks, admin, catalog, db, ownedMetrics);
    }

    /** The port of this worker's own {@code GET /metrics}; empty when it reports to metrics someone else serves. */
    public Optional<Integer> metricsPort() {
        return Optional.ofNullable(ownedMetrics).map(m -> m.endpoint().port());
    }

    private static void closeAll(RuntimeException primary, AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                } else {
                    LOG.warn("closing {} failed: {}", r.getClass().getSimpleName(), e.toString());
                }
            }
        }
    }
}
