package dev.pulse.api;

import dev.pulse.api.limits.RateLimitConfig;
import dev.pulse.api.limits.Rates;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.HttpListener;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;

/**
 * The ingest API's configuration, read once at start-up from {@link Settings}. Its keys are
 * declared in {@link PulseKeys} (name, type, range, default, description): the shared
 * infrastructure ({@link Infrastructure#from(Settings)}), {@code PULSE_OPERATOR_DATABASE_URL}
 * ({@link Infrastructure#operatorDatabaseUrl(Settings)}), the listener ({@code PULSE_API_PORT},
 * {@code PULSE_BIND_ADDRESS}), {@code PULSE_OPERATOR_TOKEN}, the partitions by tier, the request
 * limits, the produce timeout, the key-usage flush interval the Idempotency-Key lifetime and the per-tenant rate limits. The one cross-key rule: an event
 * must fit in a request body.
 */
public final class ApiConfig {
    private final Infrastructure infrastructure;
    private final String operatorDatabaseUrl;
    private final HttpListener listener;
    private final String operatorToken;
    private final Tenants.PartitionsByTier partitionsByTier;
    private final Tenants.TopicReplication topicReplication;
    private final Limits limits;
    private final EventTimeBounds eventTimeBounds;
    private final int produceTimeoutMs;
    private final int keyUsageFlushMs;
    private final java.time.Duration idempotencyKeyTtl;
    private final RateLimitConfig rateLimits;
    private final dev.pulse.schemas.metrics.MetricsConfig metrics;

    /** The request limits, each refused with its own status (see {@link PulseKeys}). */
    public record Limits(int maxBodyBytes, int maxEventBytes, int maxEventsPerRequest, int maxJsonDepth) {
    }

    /**
     * The event times accepted ({@code PULSE_EVENT_TIME_FLOOR}, {@code PULSE_EVENT_TIME_MAX_SKEW}):
     * from {@code floor} to the API's clock plus {@code maxSkew}; outside is a 400 naming the event.
     */
    public record EventTimeBounds(java.time.Duration maxSkew, java.time.Instant floor) {
    }

    private ApiConfig(Settings settings) {
        this.infrastructure = Infrastructure.from(settings);
        this.operatorToken = settings.get(PulseKeys.OPERATOR_TOKEN);
        this.limits = new Limits(settings.get(PulseKeys.MAX_BODY_BYTES), settings.get(PulseKeys.MAX_EVENT_BYTES),
                settings.get(PulseKeys.MAX_EVENTS_PER_REQUEST), settings.get(PulseKeys.MAX_JSON_DEPTH));
        this.eventTimeBounds = new EventTimeBounds(settings.get(PulseKeys.EVENT_TIME_MAX_SKEW), settings.get(PulseKeys.EVENT_TIME_FLOOR));
        this.operatorDatabaseUrl = Infrastructure.operatorDatabaseUrl(settings);
        this.listener = HttpListener.from(settings, PulseKeys.API_PORT);
        this.metrics = dev.pulse.schemas.metrics.MetricsConfig.from(settings);
        this.partitionsByTier = new Tenants.PartitionsByTier(settings.get(PulseKeys.TOPIC_PARTITIONS_FREE),
                settings.get(PulseKeys.TOPIC_PARTITIONS), settings.get(PulseKeys.TOPIC_PARTITIONS_ENTERPRISE));
        try {
            this.topicReplication = new Tenants.TopicReplication(settings.get(PulseKeys.TOPIC_REPLICATION_FACTOR),
                    settings.get(PulseKeys.TOPIC_MIN_INSYNC_REPLICAS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(PulseKeys.TOPIC_MIN_INSYNC_REPLICAS + " is larger than " + PulseKeys.TOPIC_REPLICATION_FACTOR + ": " + e.getMessage());
        }
        this.produceTimeoutMs = settings.get(PulseKeys.PRODUCE_TIMEOUT_MS);
        this.keyUsageFlushMs = settings.get(PulseKeys.KEY_USAGE_FLUSH_MS);
        this.idempotencyKeyTtl = settings.get(PulseKeys.IDEMPOTENCY_KEY_TTL);
        if (eventTimeBounds.floor().isBefore(dev.pulse.schemas.event.EventTimeRange.MIN) || eventTimeBounds.floor().isAfter(java.time.Instant.now())) {
            throw new ConfigException(PulseKeys.EVENT_TIME_FLOOR + "=" + eventTimeBounds.floor() + " must lie between "
                    + dev.pulse.schemas.event.EventTimeRange.MIN_TEXT + " and now");
        }
        this.rateLimits = new RateLimitConfig(
                new Rates(settings.get(PulseKeys.RATE_LIMIT_EVENTS_FREE), settings.get(PulseKeys.RATE_LIMIT_BYTES_FREE)),
                new Rates(settings.get(PulseKeys.RATE_LIMIT_EVENTS), settings.get(PulseKeys.RATE_LIMIT_BYTES)),
                new Rates(settings.get(PulseKeys.RATE_LIMIT_EVENTS_ENTERPRISE), settings.get(PulseKeys.RATE_LIMIT_BYTES_ENTERPRISE)),
                settings.get(PulseKeys.RATE_LIMIT_BURST), settings.get(PulseKeys.API_REPLICAS), settings.get(PulseKeys.RATE_LIMIT_REFRESH));
        if (limits.maxEventBytes() > limits.maxBodyBytes()) {
            throw new ConfigException(PulseKeys.MAX_EVENT_BYTES + "=" + limits.maxEventBytes() + " is larger than "
                    + PulseKeys.MAX_BODY_BYTES + "=" + limits.maxBodyBytes() + "; one event must fit in a request body");
        }
    }

    public static ApiConfig from(Settings settings) {
        return new ApiConfig(settings);
    }

    public Infrastructure infrastructure() {
        return infrastructure;
    }

    /** {@code PULSE_OPERATOR_DATABASE_URL}: the operator role, for the /admin/v1 reads that cross tenants. */
    public String operatorDatabaseUrl() {
        return operatorDatabaseUrl;
    }

    /** {@code PULSE_BIND_ADDRESS} and {@code PULSE_API_PORT}: where the server listens (pulse dev: loopback only). */
    public HttpListener listener() {
        return listener;
    }

    /** {@code PULSE_METRICS_TOKEN}, the operator token and {@code PULSE_METRICS_TENANT_LABELS}: who reads {@code GET /metrics}, how many tenants are labelled. */
    public dev.pulse.schemas.metrics.MetricsConfig metrics() {
        return metrics;
    }

    public String operatorToken() {
        return operatorToken;
    }

    /** Partitions of a new tenant's topics, by tier. */
    public Tenants.PartitionsByTier partitionsByTier() {
        return partitionsByTier;
    }

    /** PULSE_TOPIC_REPLICATION_FACTOR and PULSE_TOPIC_MIN_INSYNC_REPLICAS (0: the broker's defaults). */
    public Tenants.TopicReplication topicReplication() {
        return topicReplication;
    }

    public int keyUsageFlushMs() {
        return keyUsageFlushMs;
    }

    /** {@code PULSE_IDEMPOTENCY_KEY_TTL}: how long an Idempotency-Key is remembered. */
    public java.time.Duration idempotencyKeyTtl() {
        return idempotencyKeyTtl;
    }

    /** Per-tenant rate limits of {@code POST /v1/events}: rates by tier, burst, replicas sharing them, refresh. */
    public RateLimitConfig rateLimits() {
        return rateLimits;
    }

    public Limits limits() {
        return limits;
    }

    public EventTimeBounds eventTimeBounds() {
        return eventTimeBounds;
    }

    public int produceTimeoutMs() {
        return produceTimeoutMs;
    }

    @Override
    public String toString() {
        // Never print the operator token or the database credentials.
        return "ApiConfig[port=" + listener.port() + ", partitionsByTier=" + partitionsByTier + ", limits=" + limits
                + ", eventTimeBounds=" + eventTimeBounds + ", produceTimeoutMs=" + produceTimeoutMs + ", rateLimits=" + rateLimits + "]";
    }
}
