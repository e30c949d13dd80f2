package dev.pulse.worker;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.ConfigKey;
import dev.pulse.schemas.config.HttpListener;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.metrics.MetricsConfig;
import dev.pulse.worker.consume.WorkerTenants;
import dev.pulse.worker.maintain.MaintenanceConfig;
import java.time.Duration;
import java.util.List;

/**
 * The worker's one typed configuration, read once at start-up. Its keys are declared in
 * {@link PulseKeys} (name, type, range, default, description; {@link #keys()} lists them); a bad
 * value stops start-up naming the key, and so does a broken cross-key rule: the tenant backoff's
 * maximum is at least its first wait, the commit interval is below the poll and transaction timeouts,
 * an enterprise-only worker group does not use the default (shared) group name.
 */
public final class WorkerConfig {
    private final Infrastructure infrastructure;
    private final String group;
    private final WorkerTenants tenants;
    private final String instanceId;
    private final int maxBatchRecords;
    private final int commitThreads;
    private final Duration commitInterval;
    private final int fetchMinBytes;
    private final int maxRetries;
    private final Duration retryBackoff;
    private final int sessionTimeoutMs;
    private final int maxPollIntervalMs;
    private final int transactionTimeoutMs;
    private final Duration tenantBackoff;
    private final Duration tenantBackoffMax;
    private final MaintenanceConfig maintenance;
    private final Duration dedupWindow;
    private final boolean usageMetering;
    private final java.nio.file.Path usageStateDir;
    private final HttpListener metricsListener;
    private final MetricsConfig metrics;
    private final int dlqParkAfter;
    private final int dlqReplayRate;

    private WorkerConfig(Settings settings) {
        this.infrastructure = Infrastructure.from(settings);
        this.group = settings.get(PulseKeys.WORKER_GROUP);
        this.tenants = WorkerTenants.fromWireName(settings.get(PulseKeys.WORKER_TENANTS));
        if (tenants == WorkerTenants.ENTERPRISE && group.equals(PulseKeys.DEFAULT_WORKER_GROUP)) {
            throw new ConfigException(PulseKeys.WORKER_TENANTS + "=enterprise needs a consumer group of its own: set "
                    + PulseKeys.WORKER_GROUP + " to another name than the shared group's '" + group + "', e.g. pulse-worker-enterprise");
        }
        this.instanceId = settings.get(PulseKeys.WORKER_INSTANCE_ID);
        this.maxBatchRecords = settings.get(PulseKeys.WORKER_MAX_BATCH_RECORDS);
        this.commitThreads = settings.get(PulseKeys.WORKER_COMMIT_THREADS);
        this.commitInterval = Duration.ofMillis(settings.get(PulseKeys.WORKER_COMMIT_INTERVAL_MS));
        this.fetchMinBytes = settings.get(PulseKeys.WORKER_FETCH_MIN_BYTES);
        this.maxRetries = settings.get(PulseKeys.WORKER_MAX_RETRIES);
        this.retryBackoff = Duration.ofMillis(settings.get(PulseKeys.WORKER_RETRY_BACKOFF_MS));
        this.sessionTimeoutMs = settings.get(PulseKeys.WORKER_SESSION_TIMEOUT_MS);
        this.maxPollIntervalMs = settings.get(PulseKeys.WORKER_MAX_POLL_INTERVAL_MS);
        this.transactionTimeoutMs = settings.get(PulseKeys.WORKER_TRANSACTION_TIMEOUT_MS);
        this.tenantBackoff = Duration.ofMillis(settings.get(PulseKeys.WORKER_TENANT_BACKOFF_MS));
        this.tenantBackoffMax = Duration.ofMillis(settings.get(PulseKeys.WORKER_TENANT_BACKOFF_MAX_MS));
        if (tenantBackoffMax.compareTo(tenantBackoff) < 0) {
            throw new ConfigException(PulseKeys.WORKER_TENANT_BACKOFF_MAX_MS + "=" + tenantBackoffMax.toMillis() + " must be at least "
                    + PulseKeys.WORKER_TENANT_BACKOFF_MS + "=" + tenantBackoff.toMillis());
        }
        if (commitInterval.toMillis() >= maxPollIntervalMs) {
            throw new ConfigException(PulseKeys.WORKER_COMMIT_INTERVAL_MS + "=" + commitInterval.toMillis() + " must be below "
                    + PulseKeys.WORKER_MAX_POLL_INTERVAL_MS + "=" + maxPollIntervalMs + ", or every batch would look stuck");
        }
        if (commitInterval.toMillis() >= transactionTimeoutMs) {
            throw new ConfigException(PulseKeys.WORKER_COMMIT_INTERVAL_MS + "=" + commitInterval.toMillis() + " must be below "
                    + PulseKeys.WORKER_TRANSACTION_TIMEOUT_MS + "=" + transactionTimeoutMs);
        }
        this.maintenance = MaintenanceConfig.from(settings, Duration.ofMillis(maxPollIntervalMs));
        this.dedupWindow = settings.get(PulseKeys.DEDUP_WINDOW);
        this.usageMetering = settings.get(PulseKeys.USAGE_METERING);
        this.usageStateDir = settings.get(PulseKeys.USAGE_STATE_DIR);
        this.metricsListener = HttpListener.from(settings, PulseKeys.WORKER_METRICS_PORT);
        this.metrics = MetricsConfig.from(settings);
        this.dlqParkAfter = settings.get(PulseKeys.DLQ_PARK_AFTER);
        this.dlqReplayRate = settings.get(PulseKeys.DLQ_REPLAY_RATE);
    }

    public static WorkerConfig from(Settings settings) {
        return new WorkerConfig(settings);
    }

    /** Every key this configuration reads beyond {@link Infrastructure}'s, for help texts. */
    public static List<ConfigKey<?>> keys() {
        List<ConfigKey<?>> keys = new java.util.ArrayList<>(List.of(PulseKeys.WORKER_GROUP, PulseKeys.WORKER_TENANTS, PulseKeys.WORKER_INSTANCE_ID, PulseKeys.WORKER_MAX_BATCH_RECORDS, PulseKeys.WORKER_COMMIT_THREADS, PulseKeys.WORKER_COMMIT_INTERVAL_MS,
                PulseKeys.WORKER_FETCH_MIN_BYTES, PulseKeys.WORKER_MAX_RETRIES, PulseKeys.WORKER_RETRY_BACKOFF_MS, PulseKeys.WORKER_SESSION_TIMEOUT_MS,
                PulseKeys.WORKER_MAX_POLL_INTERVAL_MS, PulseKeys.WORKER_TRANSACTION_TIMEOUT_MS, PulseKeys.WORKER_TENANT_BACKOFF_MS,
                PulseKeys.WORKER_TENANT_BACKOFF_MAX_MS, PulseKeys.DEDUP_WINDOW,
                PulseKeys.USAGE_METERING, PulseKeys.USAGE_STATE_DIR, PulseKeys.WORKER_METRICS_PORT, PulseKeys.METRICS_TOKEN,
                PulseKeys.METRICS_TENANT_LABELS, PulseKeys.DLQ_PARK_AFTER, PulseKeys.DLQ_REPLAY_RATE));
        keys.addAll(MaintenanceConfig.keys());
        return List.copyOf(keys);
    }

    public Infrastructure infrastructure() {
        return infrastructure;
    }

    /** {@code PULSE_BIND_ADDRESS} and {@code PULSE_WORKER_METRICS_PORT}: where the worker serves {@code GET /metrics}. */
    public HttpListener metricsListener() {
        return metricsListener;
    }

    /** Who reads {@code GET /metrics} (the scrape token, or the operator token where set) and how many tenants are labelled. */
    public MetricsConfig metrics() {
        return metrics;
    }

    public String group() {
        return group;
    }

    /** Which tenants this worker group reads: all, all but the enterprise tier's, or only those. */
    public WorkerTenants tenants() {
        return tenants;
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

    /** How many of a batch's tables are written and committed at once. */
    public int commitThreads() {
        return commitThreads;
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

    /** How long an event id stays claimed by its dataset: a resend within it is a duplicate ({@code worker.dedup}). */
    /** Whether this worker process runs the usage topology ({@code dev.pulse.worker.usage.UsageMetering}). */
    public boolean usageMetering() {
        return usageMetering;
    }

    /** The usage topology's Kafka Streams state.dir. */
    public java.nio.file.Path usageStateDir() {
        return usageStateDir;
    }

    public Duration dedupWindow() {
        return dedupWindow;
    }

    /** Failed replays after which a dead letter is parked ({@code PULSE_DLQ_PARK_AFTER}). */
    public int dlqParkAfter() {
        return dlqParkAfter;
    }

    /** Dead letters per second a replay sends ({@code PULSE_DLQ_REPLAY_RATE}). */
    public int dlqReplayRate() {
        return dlqReplayRate;
    }

    /** Lake maintenance: compaction, snapshot expiry, orphan removal ({@code worker.maintain}). */
    public MaintenanceConfig maintenance() {
        return maintenance;
    }
}
