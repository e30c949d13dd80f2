package dev.pulse.api;

import dev.pulse.control.tenants.Tenants;
import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;

/**
 * The ingest API's configuration, read once at start-up from {@link Settings}.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>PULSE_API_PORT</td><td>int 0..65535</td><td>8080</td><td>HTTP port; 0 picks a free port</td></tr>
 *   <tr><td>PULSE_OPERATOR_TOKEN</td><td>string, at least 24 chars</td><td>(required)</td><td>bearer token of the operator endpoints under /admin/v1</td></tr>
 *   <tr><td>PULSE_TOPIC_PARTITIONS</td><td>int 1..1000</td><td>3</td><td>partitions of the topics of a new tenant of tier standard</td></tr>
 *   <tr><td>PULSE_TOPIC_PARTITIONS_FREE</td><td>int 1..1000</td><td>1</td><td>partitions of the topics of a new tenant of tier free</td></tr>
 *   <tr><td>PULSE_TOPIC_PARTITIONS_ENTERPRISE</td><td>int 1..1000</td><td>12</td><td>partitions of the topics of a new tenant of tier enterprise</td></tr>
 *   <tr><td>PULSE_KEY_USAGE_FLUSH_MS</td><td>int 100..60000</td><td>5000</td><td>how often API keys' last_used_at is written (one UPDATE per tenant)</td></tr>
 *   <tr><td>PULSE_MAX_BODY_BYTES</td><td>int 1024..268435456</td><td>10485760 (10 MiB)</td><td>largest request body, after decompression (413 above)</td></tr>
 *   <tr><td>PULSE_MAX_EVENT_BYTES</td><td>int 256..16777216</td><td>1048576 (1 MiB)</td><td>largest serialized event envelope (413 naming the event's index)</td></tr>
 *   <tr><td>PULSE_MAX_EVENTS_PER_REQUEST</td><td>int 1..1000000</td><td>10000</td><td>most events in one request (413 above)</td></tr>
 *   <tr><td>PULSE_MAX_JSON_DEPTH</td><td>int 2..1000</td><td>64</td><td>deepest JSON nesting of a request body (400 above)</td></tr>
 *   <tr><td>PULSE_PRODUCE_TIMEOUT_MS</td><td>int 1000..300000</td><td>30000</td><td>how long a request waits for Kafka's acknowledgements before answering 503</td></tr>
 * </table>
 *
 * Plus the shared infrastructure keys read by {@link Infrastructure#from(Settings)} and
 * {@code PULSE_OPERATOR_DATABASE_URL} ({@link Infrastructure#operatorDatabaseUrl(Settings)}).
 */
public final class ApiConfig {
    public static final String MAX_BODY_BYTES = "PULSE_MAX_BODY_BYTES";
    public static final String MAX_EVENT_BYTES = "PULSE_MAX_EVENT_BYTES";
    public static final String MAX_EVENTS_PER_REQUEST = "PULSE_MAX_EVENTS_PER_REQUEST";
    public static final String MAX_JSON_DEPTH = "PULSE_MAX_JSON_DEPTH";
    public static final String PRODUCE_TIMEOUT_MS = "PULSE_PRODUCE_TIMEOUT_MS";
    public static final String TOPIC_PARTITIONS_FREE = "PULSE_TOPIC_PARTITIONS_FREE";
    public static final String TOPIC_PARTITIONS_ENTERPRISE = "PULSE_TOPIC_PARTITIONS_ENTERPRISE";
    public static final String KEY_USAGE_FLUSH_MS = "PULSE_KEY_USAGE_FLUSH_MS";

    static final int MIN_OPERATOR_TOKEN_LENGTH = 24;

    private final Infrastructure infrastructure;
    private final String operatorDatabaseUrl;
    private final int port;
    private final String bindAddress;
    private final String operatorToken;
    private final int topicPartitions;
    private final Tenants.PartitionsByTier partitionsByTier;
    private final Limits limits;
    private final int produceTimeoutMs;
    private final int keyUsageFlushMs;

    /** The request limits, each refused with its own status (see the class table). */
    public record Limits(int maxBodyBytes, int maxEventBytes, int maxEventsPerRequest, int maxJsonDepth) {
    }

    private ApiConfig(Infrastructure infrastructure, String operatorDatabaseUrl, int port, String bindAddress, String operatorToken, Tenants.PartitionsByTier partitionsByTier, Limits limits,
            int produceTimeoutMs, int keyUsageFlushMs) {
        this.infrastructure = infrastructure;
        this.operatorDatabaseUrl = operatorDatabaseUrl;
        this.port = port;
        this.bindAddress = bindAddress;
        this.operatorToken = operatorToken;
        this.topicPartitions = partitionsByTier.standard();
        this.partitionsByTier = partitionsByTier;
        this.limits = limits;
        this.produceTimeoutMs = produceTimeoutMs;
        this.keyUsageFlushMs = keyUsageFlushMs;
        if (limits.maxEventBytes() > limits.maxBodyBytes()) {
            throw new ConfigException(MAX_EVENT_BYTES + "=" + limits.maxEventBytes() + " is larger than "
                    + MAX_BODY_BYTES + "=" + limits.maxBodyBytes() + "; one event must fit in a request body");
        }
    }

    public static ApiConfig from(Settings settings) {
        Infrastructure infrastructure = Infrastructure.from(settings);
        String token = settings.required(PulseKeys.OPERATOR_TOKEN, "bearer token of the operator endpoints, at least "
                + MIN_OPERATOR_TOKEN_LENGTH + " characters");
        if (token.strip().length() < MIN_OPERATOR_TOKEN_LENGTH) {
            throw new ConfigException(PulseKeys.OPERATOR_TOKEN + " is too short: it must have at least "
                    + MIN_OPERATOR_TOKEN_LENGTH + " characters");
        }
        Limits limits = new Limits(
                settings.integer(MAX_BODY_BYTES, 10 * 1024 * 1024, 1024, 256 * 1024 * 1024),
                settings.integer(MAX_EVENT_BYTES, 1024 * 1024, 256, 16 * 1024 * 1024),
                settings.integer(MAX_EVENTS_PER_REQUEST, 10_000, 1, 1_000_000),
                settings.integer(MAX_JSON_DEPTH, 64, 2, 1000));
        return new ApiConfig(
                infrastructure,
                Infrastructure.operatorDatabaseUrl(settings),
                settings.port(PulseKeys.API_PORT, 8080),
                settings.bindAddress(),
                token.strip(),
                new Tenants.PartitionsByTier(
                        settings.integer(TOPIC_PARTITIONS_FREE, 1, 1, 1000),
                        settings.integer(PulseKeys.TOPIC_PARTITIONS, 3, 1, 1000),
                        settings.integer(TOPIC_PARTITIONS_ENTERPRISE, 12, 1, 1000)),
                limits,
                settings.integer(PRODUCE_TIMEOUT_MS, 30_000, 1000, 300_000),
                settings.integer(KEY_USAGE_FLUSH_MS, 5000, 100, 60_000));
    }

    public Infrastructure infrastructure() {
        return infrastructure;
    }

    /** {@code PULSE_OPERATOR_DATABASE_URL}: the operator role, for the /admin/v1 reads that cross tenants. */
    public String operatorDatabaseUrl() {
        return operatorDatabaseUrl;
    }

    /** {@code PULSE_BIND_ADDRESS}: where the server listens (0.0.0.0 by default; pulse dev uses 127.0.0.1). */
    public String bindAddress() {
        return bindAddress;
    }

    public int port() {
        return port;
    }

    public String operatorToken() {
        return operatorToken;
    }

    public int topicPartitions() {
        return topicPartitions;
    }

    /** Partitions of a new tenant's topics, by tier. */
    public Tenants.PartitionsByTier partitionsByTier() {
        return partitionsByTier;
    }

    public int keyUsageFlushMs() {
        return keyUsageFlushMs;
    }

    public Limits limits() {
        return limits;
    }

    public int produceTimeoutMs() {
        return produceTimeoutMs;
    }

    @Override
    public String toString() {
        // Never print the operator token or the database credentials.
        return "ApiConfig[port=" + port + ", partitionsByTier=" + partitionsByTier + ", limits=" + limits
                + ", produceTimeoutMs=" + produceTimeoutMs + "]";
    }
}
