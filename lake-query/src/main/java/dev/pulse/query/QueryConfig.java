package dev.pulse.query;

import dev.pulse.query.preview.PreviewService;
import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.ConfigKey;
import dev.pulse.schemas.config.HttpListener;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.metrics.MetricsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * lake-query's one typed configuration, read once at start-up. Its keys are declared in
 * {@link PulseKeys} (name, type, range, default, description; {@link #KEYS} lists them); a bad
 * value fails with a {@link ConfigException} naming it. The cross-key rules: the default preview
 * limit is at most the maximum, and the maximum at most the rows a query may return.
 */
public final class QueryConfig {
    /** The keys lake-query reads beyond {@link Infrastructure}'s, for help texts. */
    public static final List<ConfigKey<?>> KEYS = List.of(PulseKeys.QUERY_PORT, PulseKeys.BIND_ADDRESS, PulseKeys.PREVIEW_DEFAULT_LIMIT,
            PulseKeys.PREVIEW_MAX_LIMIT, PulseKeys.QUERY_TIMEOUT_MS, PulseKeys.QUERY_MEMORY_LIMIT, PulseKeys.QUERY_MAX_ROWS,
            PulseKeys.QUERY_THREADS, PulseKeys.QUERY_TEMP_DIR, PulseKeys.QUERY_MAX_CONCURRENT,
            PulseKeys.QUERY_CACHE_DIR, PulseKeys.QUERY_CACHE_BYTES, PulseKeys.QUERY_CACHE_IDLE,
            PulseKeys.METRICS_TOKEN, PulseKeys.METRICS_TENANT_LABELS);

    private final Infrastructure infrastructure;
    private final HttpListener listener;
    private final int previewDefaultLimit;
    private final int previewMaxLimit;
    private final Duration queryTimeout;
    private final String memoryLimit;
    private final int maxRows;
    private final int threads;
    private final Path tempDirectory;
    private final PreviewService.CacheSettings cache;
    private final int maxConcurrentQueries;
    private final MetricsConfig metrics;

    private QueryConfig(Settings settings) {
        this.infrastructure = Infrastructure.from(settings);
        this.listener = HttpListener.from(settings, PulseKeys.QUERY_PORT);
        this.metrics = MetricsConfig.from(settings);
        this.previewDefaultLimit = settings.get(PulseKeys.PREVIEW_DEFAULT_LIMIT);
        this.previewMaxLimit = settings.get(PulseKeys.PREVIEW_MAX_LIMIT);
        this.queryTimeout = Duration.ofMillis(settings.get(PulseKeys.QUERY_TIMEOUT_MS));
        this.memoryLimit = settings.get(PulseKeys.QUERY_MEMORY_LIMIT);
        this.maxRows = settings.get(PulseKeys.QUERY_MAX_ROWS);
        this.threads = settings.get(PulseKeys.QUERY_THREADS);
        this.tempDirectory = settings.get(PulseKeys.QUERY_TEMP_DIR);
        this.cache = new PreviewService.CacheSettings(settings.get(PulseKeys.QUERY_CACHE_DIR), settings.get(PulseKeys.QUERY_CACHE_BYTES),
                settings.get(PulseKeys.QUERY_CACHE_IDLE));
        this.maxConcurrentQueries = settings.get(PulseKeys.QUERY_MAX_CONCURRENT);
        if (previewDefaultLimit > previewMaxLimit) {
            throw new ConfigException(PulseKeys.PREVIEW_DEFAULT_LIMIT + "=" + previewDefaultLimit + " is above "
                    + PulseKeys.PREVIEW_MAX_LIMIT + "=" + previewMaxLimit);
        }
        if (previewMaxLimit > maxRows) {
            throw new ConfigException(PulseKeys.PREVIEW_MAX_LIMIT + "=" + previewMaxLimit + " is above " + PulseKeys.QUERY_MAX_ROWS + "=" + maxRows
                    + ": a preview could never return that many rows");
        }
    }

    public static QueryConfig from(Settings settings) {
        return new QueryConfig(settings);
    }

    public Infrastructure infrastructure() {
        return infrastructure;
    }

    /** {@code PULSE_BIND_ADDRESS} and {@code PULSE_QUERY_PORT}: where the server listens (pulse dev: loopback only). */
    public HttpListener listener() {
        return listener;
    }

    /** Who reads {@code GET /metrics} (the scrape token, or the operator token where set) and how many tenants are labelled. */
    public MetricsConfig metrics() {
        return metrics;
    }

    public int previewDefaultLimit() {
        return previewDefaultLimit;
    }

    public int previewMaxLimit() {
        return previewMaxLimit;
    }

    public Duration queryTimeout() {
        return queryTimeout;
    }

    public String memoryLimit() {
        return memoryLimit;
    }

    public int maxRows() {
        return maxRows;
    }

    public int threads() {
        return threads;
    }

    /** Where the copies of an object-store warehouse's files are kept, and how many (unused for a folder warehouse). */
    public PreviewService.CacheSettings cache() {
        return cache;
    }

    public Path tempDirectory() {
        return tempDirectory;
    }

    public int maxConcurrentQueries() {
        return maxConcurrentQueries;
    }
}
