package dev.pulse.query;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * lake-query's one typed configuration, read once at start-up. Every key has a type, a default
 * and a description ({@link #KEYS}); a bad value fails with a {@link ConfigException} naming it.
 */
public final class QueryConfig {
    /** A documented configuration key: for {@code pulse doctor} and the README. */
    public record Key(String name, String defaultValue, String description) {
    }

    public static final String PORT = PulseKeys.QUERY_PORT;
    public static final String PREVIEW_DEFAULT_LIMIT = "PULSE_PREVIEW_DEFAULT_LIMIT";
    public static final String PREVIEW_MAX_LIMIT = "PULSE_PREVIEW_MAX_LIMIT";
    public static final String QUERY_TIMEOUT_MS = "PULSE_QUERY_TIMEOUT_MS";
    public static final String QUERY_MEMORY_LIMIT = "PULSE_QUERY_MEMORY_LIMIT";
    public static final String QUERY_MAX_ROWS = "PULSE_QUERY_MAX_ROWS";
    public static final String QUERY_THREADS = "PULSE_QUERY_THREADS";
    public static final String QUERY_TEMP_DIR = "PULSE_QUERY_TEMP_DIR";
    public static final String QUERY_MAX_CONCURRENT = "PULSE_QUERY_MAX_CONCURRENT";

    private static final Path DEFAULT_TEMP_DIR = Path.of(System.getProperty("java.io.tmpdir"), "pulse-query");

    public static final List<Key> KEYS = List.of(
            new Key(PORT, "8081", "HTTP port of lake-query; 0 picks a free port"),
            new Key(PREVIEW_DEFAULT_LIMIT, "100", "rows a preview returns when the request names no limit"),
            new Key(PREVIEW_MAX_LIMIT, "10000", "largest limit a preview accepts; above it the request is refused with 400"),
            new Key(QUERY_TIMEOUT_MS, "30000", "wall-clock time one DuckDB query may run before it is cancelled"),
            new Key(QUERY_MEMORY_LIMIT, "1GB", "DuckDB memory_limit of one query, e.g. 512MB or 1GB"),
            new Key(QUERY_MAX_ROWS, "100000", "most rows one query may return"),
            new Key(QUERY_THREADS, "2", "DuckDB threads of one query"),
            new Key(QUERY_TEMP_DIR, DEFAULT_TEMP_DIR.toString(), "folder under which each query gets its own DuckDB temp_directory, deleted afterwards"),
            new Key(QUERY_MAX_CONCURRENT, "4", "DuckDB queries running at once; more wait briefly, then get 429"));

    /** What DuckDB accepts for memory_limit, and nothing that could break out of a SQL literal. */
    private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]{0,8}(\\.[0-9]{1,3})?\\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", Pattern.CASE_INSENSITIVE);

    private final Infrastructure infrastructure;
    private final int port;
    private final String bindAddress;
    private final int previewDefaultLimit;
    private final int previewMaxLimit;
    private final Duration queryTimeout;
    private final String memoryLimit;
    private final int maxRows;
    private final int threads;
    private final Path tempDirectory;
    private final int maxConcurrentQueries;

    private QueryConfig(Infrastructure infrastructure, int port, String bindAddress, int previewDefaultLimit, int previewMaxLimit, Duration queryTimeout,
            String memoryLimit, int maxRows, int threads, Path tempDirectory, int maxConcurrentQueries) {
        if (previewDefaultLimit > previewMaxLimit) {
            throw new ConfigException(PREVIEW_DEFAULT_LIMIT + "=" + previewDefaultLimit + " is above " + PREVIEW_MAX_LIMIT + "=" + previewMaxLimit);
        }
        if (previewMaxLimit > maxRows) {
            throw new ConfigException(PREVIEW_MAX_LIMIT + "=" + previewMaxLimit + " is above " + QUERY_MAX_ROWS + "=" + maxRows
                    + ": a preview could never return that many rows");
        }
        this.infrastructure = infrastructure;
        this.port = port;
        this.bindAddress = bindAddress;
        this.previewDefaultLimit = previewDefaultLimit;
        this.previewMaxLimit = previewMaxLimit;
        this.queryTimeout = queryTimeout;
        this.memoryLimit = memoryLimit;
        this.maxRows = maxRows;
        this.threads = threads;
        this.tempDirectory = tempDirectory;
        this.maxConcurrentQueries = maxConcurrentQueries;
    }

    public static QueryConfig from(Settings settings) {
        return new QueryConfig(
                Infrastructure.from(settings),
                settings.port(PORT, 8081),
                settings.bindAddress(),
                settings.integer(PREVIEW_DEFAULT_LIMIT, 100, 1, 1_000_000),
                settings.integer(PREVIEW_MAX_LIMIT, 10_000, 1, 1_000_000),
                Duration.ofMillis(settings.longValue(QUERY_TIMEOUT_MS, 30_000, 10, 3_600_000)),
                memoryLimit(settings),
                settings.integer(QUERY_MAX_ROWS, 100_000, 1, 10_000_000),
                settings.integer(QUERY_THREADS, 2, 1, 256),
                tempDirectory(settings),
                settings.integer(QUERY_MAX_CONCURRENT, 4, 1, 1024));
    }

    private static String memoryLimit(Settings settings) {
        String value = settings.string(QUERY_MEMORY_LIMIT, "1GB").strip();
        if (!MEMORY.matcher(value).matches()) {
            throw new ConfigException(QUERY_MEMORY_LIMIT + "=" + value + " is not a memory size such as 512MB or 1GB");
        }
        return value;
    }

    private static Path tempDirectory(Settings settings) {
        String value = settings.string(QUERY_TEMP_DIR, DEFAULT_TEMP_DIR.toString());
        try {
            Path path = Path.of(value);
            if (!path.isAbsolute()) {
                throw new ConfigException(QUERY_TEMP_DIR + "=" + value + " must be an absolute path");
            }
            return path.normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(QUERY_TEMP_DIR + "=" + value + " is not a valid path: " + e.getReason());
        }
    }

    public Infrastructure infrastructure() {
        return infrastructure;
    }

    /** {@code PULSE_BIND_ADDRESS}: where the server listens (0.0.0.0 by default; pulse dev uses 127.0.0.1). */
    public String bindAddress() {
        return bindAddress;
    }

    public int port() {
        return port;
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

    public Path tempDirectory() {
        return tempDirectory;
    }

    public int maxConcurrentQueries() {
        return maxConcurrentQueries;
    }
}
