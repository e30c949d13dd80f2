package dev.pulse.api;

import dev.pulse.api.admin.AdminRoutes;
import dev.pulse.api.control.Audit;
import dev.pulse.api.control.Caller;
import dev.pulse.api.control.SelfService;
import dev.pulse.api.dlq.DlqRoutes;
import dev.pulse.api.control.TenantResources;
import dev.pulse.api.events.EventRoutes;
import dev.pulse.api.http.ApiProblems;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.api.http.OperatorAuth;
import dev.pulse.api.http.RequestDrain;
import dev.pulse.api.limits.RateLimitRoutes;
import dev.pulse.api.limits.RateLimiter;
import dev.pulse.api.usage.EdgeUsage;
import dev.pulse.api.usage.UsageRoutes;
import dev.pulse.control.limits.RateLimitSettings;
import dev.pulse.control.datasets.Datasets;
import dev.pulse.control.keys.ApiKeyStore;
import dev.pulse.control.keys.KeyUsage;
import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.control.registry.SchemaRegistry;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.edge.ApiKeyAuth;
import dev.pulse.edge.EdgeServer;
import dev.pulse.edge.HealthRoute;
import dev.pulse.edge.MetricsRoute;
import dev.pulse.schemas.metrics.ServiceMetrics;
import dev.pulse.edge.OpenApiRoute;
import dev.pulse.schemas.tenancy.TenantDatabase;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ingest API server: producers' {@code /v1/events}, {@code /healthz} and the operator's {@code /admin/v1}. */
public final class IngestApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestApi.class);
    private static final int LINGER_MS = 5;
    static final int MIN_MAX_REQUEST_SIZE = 2 * 1024 * 1024;
    /** The API's OpenAPI 3.1 document, kept by hand; {@code OpenApiIT} checks it against the registered routes. */
    static final String OPENAPI_RESOURCE = "/dev/pulse/api/openapi.json";

    private final Javalin server;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Deque<AutoCloseable> resources;

    private IngestApi(Javalin server, KafkaProducer<byte[], byte[]> producer, Deque<AutoCloseable> resources) {
        this.server = server;
        this.producer = producer;
        this.resources = resources;
    }

    /**
     * Opens the database pool (and refuses an unsafe runtime role), the Iceberg catalog, the
     * Kafka admin client and the producer, then starts serving. On any failure whatever was
     * opened is closed again and the failure is rethrown.
     */
    public static IngestApi start(ApiConfig config) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            ServiceMetrics metrics = ServiceMetrics.create("api", config.metrics());
            opened.push(metrics);
            TenantDatabase db = config.infrastructure().openDatabase("api");
            opened.push(db);
            db.requireSafeRuntimeRole();
            db.reportTo(metrics.registry());
            // The operator control plane's cross-tenant reads run as their own role, never as pulse_app.
            OperatorDatabase operator = OperatorDatabase.connect(config.operatorDatabaseUrl(), 2, "api-operator");
            opened.push(operator);
            operator.requireSafeOperatorRole();
            JdbcCatalog catalog = config.infrastructure().openCatalog();
            opened.push(catalog);
            Admin kafkaAdmin = config.infrastructure().openKafkaAdmin();
            opened.push(kafkaAdmin);
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(config));
            opened.push(() -> producer.close(Duration.ofSeconds(10)));
            // Edge usage counts go to the internal usage topic through the same producer; closed (and flushed) before it.
            EdgeUsage edgeUsage = new EdgeUsage(producer, kafkaAdmin);
            opened.push(edgeUsage);

            KeyUsage usage = new KeyUsage(db);
            ScheduledExecutorService flusher = startUsageFlusher(usage, config.keyUsageFlushMs());
            opened.push(() -> stopUsageFlusher(flusher, usage));
            ApiKeyStore keys = new ApiKeyStore(db, usage);
            // A key is read from the database at most every KeyCache.TTL: see KeyCache.
            ApiKeyAuth keyAuth = new ApiKeyAuth(keys.cache()::authenticate);
            JsonBodies bodies = new JsonBodies(config.limits());
            Tenants tenants = new Tenants(db, kafkaAdmin, catalog, config.partitionsByTier(), config.topicReplication());
            RateLimitSettings rateLimitSettings = new RateLimitSettings(db, tenants);
            EventRoutes events = new EventRoutes(db, keyAuth, bodies, config.limits(), config.eventTimeBounds(), producer, config.produceTimeoutMs(),
                    config.idempotencyKeyTtl(), new RateLimiter(rateLimitSettings, config.rateLimits()), edgeUsage, metrics);
            UsageRoutes usageRoutes = new UsageRoutes(db);
            TenantResources resources = new TenantResources(bodies, keys, new SchemaRegistry(db), new Datasets(db, catalog));
            OperatorAuth operatorAuth = new OperatorAuth(config.operatorToken());
            AdminRoutes admin = new AdminRoutes(operatorAuth, bodies, tenants, resources, operator, keys);
            DlqRoutes deadLetters = new DlqRoutes(db, bodies, edgeUsage);
            RateLimitRoutes rateLimitRoutes = new RateLimitRoutes(operatorAuth, bodies, tenants, rateLimitSettings, config.rateLimits());
            RequestDrain drain = RequestDrain.forBodyLimit(config.limits().maxBodyBytes());

            Javalin server = Javalin.create(javalin -> {
                // Before an error is written, what is left of the body is drained, so that a
                // client still sending reads the answer.
                ApiProblems.map(EdgeServer.configure(javalin, drain::drain));
                // Bodies are read by JsonBodies with the same limit (after decompression); this
                // keeps Javalin's own body readers consistent should anything use them.
                javalin.http.maxRequestSize = config.limits().maxBodyBytes();
                HealthRoute.register(javalin.routes, db::isReachable);
                MetricsRoute.register(javalin, metrics);
                OpenApiRoute.register(javalin.routes, IngestApi.class, OPENAPI_RESOURCE);
                events.register(javalin.routes);
                admin.register(javalin.routes);
                rateLimitRoutes.register(javalin.routes, "/admin/v1");
                resources.register(javalin.routes, SelfService.PREFIX, SelfService.manageKey(keyAuth));
                usageRoutes.register(javalin.routes, SelfService.PREFIX, SelfService.manageKey(keyAuth));
                usageRoutes.register(javalin.routes, "/admin/v1/tenants/{slug}", admin::operatorCaller);
                // Dead letters: the operator's for any tenant, a manage key's for its own (dev.pulse.api.dlq).
                deadLetters.register(javalin.routes, "/admin/v1/tenants/{slug}", ctx -> {
                    operatorAuth.require(ctx);
                    return new Caller(tenants.requireBySlug(ctx.pathParam("slug")).id(),
                            Audit.operatorActor(ctx));
                });
                deadLetters.register(javalin.routes, SelfService.PREFIX, SelfService.manageKey(keyAuth));
            });
            EdgeServer.start(server, config.listener(), "choose another port, e.g. pulse dev --api-port");
            opened.push(server::stop);
            LOG.info("ingest API listening on port {} ({})", server.port(), config);
            // The server is stopped first by close(); the rest in reverse order of opening.
            opened.pop();
            return new IngestApi(server, producer, opened);
        } catch (RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    static Properties producerProperties(ApiConfig config) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.infrastructure().kafkaBootstrap());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "pulse-ingest-api");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // batch.size stays Kafka's 16 KiB: measured with `pulse bench ingest`, 128 KiB batches made
        // POST /v1/events slower, not faster (a request's records then wait out linger.ms in a
        // half-full batch instead of leaving as soon as 16 KiB fill up); see README, Benchmarks.
        // A request waits at most the produce timeout: for metadata/buffer space in send(), and
        // for the acknowledgements; Kafka requires delivery >= linger + request timeout.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.produceTimeoutMs());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, config.produceTimeoutMs());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, config.produceTimeoutMs() - LINGER_MS);
        // One event may be as large as the API accepts; the envelope adds a little. The tenant
        // topics accept batches up to Tenants.TOPIC_MAX_MESSAGE_BYTES.
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(MIN_MAX_REQUEST_SIZE, config.limits().maxEventBytes() + 64 * 1024));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }

    public int port() {
        return server.port();
    }

    /** Every (method, path) the server registered, e.g. {@code GET /v1/keys}; the OpenAPI test compares them with the document. */
    List<String> registeredRoutes() {
        return EdgeServer.registeredRoutes(server);
    }

    /**
     * Writes last_used_at every {@code periodMs}. A failed flush keeps its entries for the next
     * one and is logged; it never stops the schedule.
     */
    private static ScheduledExecutorService startUsageFlusher(KeyUsage usage, int periodMs) {
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "key-usage-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(() -> {
            try {
                usage.flush();
            } catch (RuntimeException e) {
                LOG.warn("writing API keys' last_used_at failed; retrying at the next flush", e);
            }
        }, periodMs, periodMs, TimeUnit.MILLISECONDS);
        return flusher;
    }

    private static void stopUsageFlusher(ScheduledExecutorService flusher, KeyUsage usage) throws InterruptedException {
        flusher.shutdown();
        flusher.awaitTermination(10, TimeUnit.SECONDS);
        usage.flush();
    }

    /** Stops accepting requests, flushes and closes the producer, then closes the pools. */
    @Override
    public void close() {
        server.stop();
        producer.flush();
        closeAll(resources, null);
    }

    private static void closeAll(Deque<AutoCloseable> resources, RuntimeException failure) {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    LOG.warn("closing {} failed", resource, e);
                }
            }
        }
    }
}
