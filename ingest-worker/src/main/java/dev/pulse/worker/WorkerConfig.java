package dev.pulse.worker;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The worker's one typed configuration, read once at start-up. Every key has a type, a default
 * and a one-line description ({@link #keys()}); a bad value stops start-up naming the key.
 */
public final class WorkerConfig {
    /** A documented key: its name, its default as text, what it does. */
    public record Key(String name, String defaultValue, String description) {
    }

    public static final Key GROUP = new Key("PULSE_WORKER_GROUP", "pulse-worker",
            "Kafka consumer group of the workers; every replica of one deployment uses the same group");
    public static final Key INSTANCE_ID = new Key("PULSE_WORKER_INSTANCE_ID", "(random per start)",
            "stable name of this replica: its Kafka transactional id, so a restarted replica aborts its predecessor's open transaction at once instead of after the transaction timeout");
    public static final Key MAX_BATCH_RECORDS = new Key("PULSE_WORKER_MAX_BATCH_RECORDS", "5000",
            "most records one batch (one poll, one table commit per dataset, one Kafka transaction) holds");
    public static final Key COMMIT_INTERVAL_MS = new Key("PULSE_WORKER_COMMIT_INTERVAL_MS", "500",
            "how long the broker may hold a fetch to fill a batch, and the poll timeout: the usual gap between commits");
    public static final Key FETCH_MIN_BYTES = new Key("PULSE_WORKER_FETCH_MIN_BYTES", "1048576",
            "bytes the broker waits for (up to the commit interval) before answering a fetch, so batches are not tiny");
    public static final Key MAX_RETRIES = new Key("PULSE_WORKER_MAX_RETRIES", "5",
            "attempts after the first for a retryable failure (database connection loss, Iceberg commit conflict)");
    public static final Key RETRY_BACKOFF_MS = new Key("PULSE_WORKER_RETRY_BACKOFF_MS", "200",
            "first backoff between retries; doubles on each attempt");
    public static final Key SESSION_TIMEOUT_MS = new Key("PULSE_WORKER_SESSION_TIMEOUT_MS", "10000",
            "consumer group session timeout: how soon a killed worker's partitions move to another or to its restarted self (at least the broker's group.min.session.timeout.ms, 6000 by default)");
    public static final Key MAX_POLL_INTERVAL_MS = new Key("PULSE_WORKER_MAX_POLL_INTERVAL_MS", "300000",
            "longest one batch may take before the group considers this worker stuck");
    public static final Key TRANSACTION_TIMEOUT_MS = new Key("PULSE_WORKER_TRANSACTION_TIMEOUT_MS", "60000",
            "how long the broker keeps a dead worker's open DLQ/offset transaction before aborting it");

    public static final Key TENANT_BACKOFF_MS = new Key("PULSE_WORKER_TENANT_BACKOFF_MS", "1000",
            "how long a tenant waits after one of its tables failed for a reason that is not one record's (metadata missing, commit refused) before its records are tried again; doubles with each failure in a row");
    public static final Key TENANT_BACKOFF_MAX_MS = new Key("PULSE_WORKER_TENANT_BACKOFF_MAX_MS", "300000",
            "the longest a failing tenant waits between tries");

    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final Infrastructure infrastructure;
    private final String group;
    private final String instanceId;
    private final int maxBatchRecords;
    private final Duration commitInterval;
    private final int fetchMinBytes;
    private final int maxRetries;
    private final Duration retryBackoff;
    private final int sessionTimeoutMs;
    private final int maxPollIntervalMs;
    private final int transactionTimeoutMs;
    private final Duration tenantBackoff;
    private final Duration tenantBackoffMax;

    private WorkerConfig(Settings settings) {
        this.infrastructure = Infrastructure.from(settings);
        this.group = name(settings, GROUP, "pulse-worker");
        this.instanceId = name(settings, INSTANCE_ID, UUID.randomUUID().toString());
        this.maxBatchRecords = settings.integer(MAX_BATCH_RECORDS.name(), 5000, 1, 1_000_000);
        this.commitInterval = Duration.ofMillis(settings.integer(COMMIT_INTERVAL_MS.name(), 500, 10, 60_000));
        this.fetchMinBytes = settings.integer(FETCH_MIN_BYTES.name(), 1_048_576, 1, 64 * 1_048_576);
        this.maxRetries = settings.integer(MAX_RETRIES.name(), 5, 0, 100);
        this.retryBackoff = Duration.ofMillis(settings.integer(RETRY_BACKOFF_MS.name(), 200, 1, 60_000));
        this.sessionTimeoutMs = settings.integer(SESSION_TIMEOUT_MS.name(), 10_000, 1_000, 3_600_000);
        this.maxPollIntervalMs = settings.integer(MAX_POLL_INTERVAL_MS.name(), 300_000, 1_000, Integer.MAX_VALUE);
        this.transactionTimeoutMs = settings.integer(TRANSACTION_TIMEOUT_MS.name(), 60_000, 1_000, 900_000);
        this.tenantBackoff = Duration.ofMillis(settings.integer(TENANT_BACKOFF_MS.name(), 1000, 10, 3_600_000));
        this.tenantBackoffMax = Duration.ofMillis(settings.integer(TENANT_BACKOFF_MAX_MS.name(), 300_000, 10, 86_400_000));
        if (tenantBackoffMax.compareTo(tenantBackoff) < 0) {
            throw new ConfigException(TENANT_BACKOFF_MAX_MS.name() + "=" + tenantBackoffMax.toMillis() + " must be at least "
                    + TENANT_BACKOFF_MS.name() + "=" + tenantBackoff.toMillis());
        }
        if (commitInterval.toMillis() >= maxPollIntervalMs) {
            throw new ConfigException(COMMIT_INTERVAL_MS.name() + "=" + commitInterval.toMillis() + " must be below "
                    + MAX_POLL_INTERVAL_MS.name() + "=" + maxPollIntervalMs + ", or every batch would look stuck");
        }
        if (commitInterval.toMillis() >= transactionTimeoutMs) {
            throw new ConfigException(COMMIT_INTERVAL_MS.name() + "=" + commitInterval.toMillis() + " must be below "
                    + TRANSACTION_TIMEOUT_MS.name() + "=" + transactionTimeoutMs);
        }
    }

    public static WorkerConfig from(Settings settings) {
        return new WorkerConfig(settings);
    }

    /** Every key this configuration reads beyond {@link Infrastructure}'s, for help texts. */
    public static List<Key> keys() {
        return List.of(GROUP, INSTANCE_ID, MAX_BATCH_RECORDS, COMMIT_INTERVAL_MS, FETCH_MIN_BYTES, MAX_RETRIES,
                RETRY_BACKOFF_MS, SESSION_TIMEOUT_MS, MAX_POLL_INTERVAL_MS, TRANSACTION_TIMEOUT_MS, TENANT_BACKOFF_MS, TENANT_BACKOFF_MAX_MS);
    }

    private static String name(Settings settings, Key key, String defaultValue) {
        String value = settings.string(key.name(), defaultValue);
        if (!GROUP_NAME.matcher(value).matches()) {
            throw new ConfigException(key.name() + "='" + value + "' is invalid: use 1 to 200 letters, digits, '.', '_' or '-'");
        }
        return value;
    }

    public Infrastructure infrastructure() {
        return infrastructure;
    }

    public String group() {
        return group;
    }

    public String instanceId() {
        return instanceId;
    }

    /** One per replica: a restarted replica with the same instance id fences its predecessor. */
    public String transactionalId() {
        return "pulse-worker." + group + "." + instanceId;
    }

    public int maxBatchRecords() {
        return maxBatchRecords;
    }

    public Duration commitInterval() {
        return commitInterval;
    }

    public int fetchMinBytes() {
        return fetchMinBytes;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public int maxPollIntervalMs() {
        return maxPollIntervalMs;
    }

    public int transactionTimeoutMs() {
        return transactionTimeoutMs;
    }

    /** First wait of a tenant whose table keeps failing; doubles per failure in a row. */
    public Duration tenantBackoff() {
        return tenantBackoff;
    }

    public Duration tenantBackoffMax() {
        return tenantBackoffMax;
    }
}
