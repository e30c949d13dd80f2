package dev.pulse.schemas.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Every configuration key of Pulse, each declared once: name, type and range, default, the value
 * {@code pulse dev} gives it when that differs ({@link #devDefaults()}), description. The
 * services' typed configurations (Infrastructure, ApiConfig, WorkerConfig, QueryConfig) and the
 * CLI read their keys from here and nowhere else; README.md's configuration table is checked
 * against this list ({@code ConfigurationTableTest}).
 */
public final class PulseKeys {
    // ---- where the shared infrastructure is (Infrastructure) ----
    public static final ConfigKey<String> DATABASE_URL = ConfigKey.required("PULSE_DATABASE_URL", "JDBC URL",
            "JDBC URL of the runtime role pulse_app, with user and password");
    public static final ConfigKey<String> ADMIN_DATABASE_URL = ConfigKey.required("PULSE_ADMIN_DATABASE_URL", "JDBC URL",
            "JDBC URL of the owner/admin role: migrations and DDL only (pulse migrate, pulse dev, pulse bench rls)");
    public static final ConfigKey<String> OPERATOR_DATABASE_URL = ConfigKey.required("PULSE_OPERATOR_DATABASE_URL", "JDBC URL",
            "JDBC URL of the operator role pulse_operator (tenant directory, audit log), with user and password; read by the operator control plane only");
    public static final ConfigKey<String> CATALOG_DATABASE_URL = ConfigKey.required("PULSE_CATALOG_DATABASE_URL", "JDBC URL",
            "JDBC URL of the Iceberg catalog role pulse_catalog, with currentSchema=pulse_catalog");
    public static final ConfigKey<String> KAFKA_BOOTSTRAP = ConfigKey.required("PULSE_KAFKA_BOOTSTRAP", "host:port[,host:port]",
            "Kafka bootstrap servers, host:port[,host:port]");
    public static final ConfigKey<String> WAREHOUSE = ConfigKey.required("PULSE_WAREHOUSE", "location",
            "Iceberg warehouse location: a folder (/var/lib/pulse/warehouse) or an S3 bucket and prefix (s3://bucket/warehouse)");
    public static final ConfigKey<String> FILE_IO = ConfigKey.string("PULSE_FILE_IO", "class name", "",
            "any Iceberg FileIO class instead of the default one").documentedAs("local java.nio FileIO; S3FileIO for s3://");
    public static final ConfigKey<String> S3_ENDPOINT = ConfigKey.string("PULSE_S3_ENDPOINT", "URL", "",
            "an S3-compatible server for an s3:// warehouse (path-style access), e.g. http://127.0.0.1:9000").documentedAs("AWS S3");
    public static final ConfigKey<String> S3_REGION = ConfigKey.string("PULSE_S3_REGION", "region", "us-east-1",
            "the region of an s3:// warehouse");
    public static final ConfigKey<String> S3_ACCESS_KEY_ID = ConfigKey.string("PULSE_S3_ACCESS_KEY_ID", "string", "",
            "access key of an s3:// warehouse, with PULSE_S3_SECRET_ACCESS_KEY").documentedAs("the AWS SDK's default credentials chain");
    public static final ConfigKey<String> S3_SECRET_ACCESS_KEY = ConfigKey.string("PULSE_S3_SECRET_ACCESS_KEY", "string", "",
            "secret key of an s3:// warehouse, with PULSE_S3_ACCESS_KEY_ID").documentedAs("the AWS SDK's default credentials chain");
    public static final ConfigKey<Integer> DB_POOL_SIZE = ConfigKey.integer("PULSE_DB_POOL_SIZE", 10, 1, 200,
            "database connections per service");

    // ---- the HTTP services and how the CLI reaches them ----
    public static final ConfigKey<Integer> API_PORT = ConfigKey.port("PULSE_API_PORT", 8080, "HTTP port of ingest-api; 0 picks a free port");
    public static final ConfigKey<Integer> QUERY_PORT = ConfigKey.port("PULSE_QUERY_PORT", 8081, "HTTP port of lake-query; 0 picks a free port");
    public static final ConfigKey<String> BIND_ADDRESS = ConfigKey.matching("PULSE_BIND_ADDRESS", "0.0.0.0",
            Pattern.compile("[A-Za-z0-9.:\\-]{1,253}"), "an IP address or host name",
            "the address both HTTP services listen on: every interface by default (containers), loopback under pulse dev")
            .underPulseDev("127.0.0.1");
    /** The operator token's least length, in characters. */
    public static final int MIN_OPERATOR_TOKEN_LENGTH = 24;
    public static final ConfigKey<String> OPERATOR_TOKEN = ConfigKey.of("PULSE_OPERATOR_TOKEN", "string, " + MIN_OPERATOR_TOKEN_LENGTH + "+ characters",
            ConfigKey.REQUIRED, null, PulseKeys::operatorToken, "bearer token of the operator control plane (/admin/v1)");
    public static final ConfigKey<String> API_URL = ConfigKey.string("PULSE_API_URL", "URL", "",
            "where the CLI finds ingest-api").documentedAs("http://127.0.0.1:<port>");
    public static final ConfigKey<String> QUERY_URL = ConfigKey.string("PULSE_QUERY_URL", "URL", "",
            "where the CLI finds lake-query").documentedAs("http://127.0.0.1:<port>");

    // ---- GET /metrics of every service (dev.pulse.schemas.metrics.MetricsConfig) ----
    public static final ConfigKey<String> METRICS_TOKEN = ConfigKey.of("PULSE_METRICS_TOKEN", "string, " + MIN_OPERATOR_TOKEN_LENGTH + "+ characters",
            "the operator token", () -> "", PulseKeys::optionalToken,
            "bearer token a Prometheus scraper sends to GET /metrics of every service (the operator token is accepted too; tenants' API keys never are)");
    public static final ConfigKey<Integer> METRICS_TENANT_LABELS = ConfigKey.integer("PULSE_METRICS_TENANT_LABELS", 20, 0, 1000,
            "tenants that get a tenant label of their own in each service's metrics (the first seen); the others are counted under tenant=\"other\"");
    public static final ConfigKey<Integer> WORKER_METRICS_PORT = ConfigKey.port("PULSE_WORKER_METRICS_PORT", 8082,
            "HTTP port of the ingest worker's GET /metrics (on PULSE_BIND_ADDRESS); 0 picks a free port");

    // ---- ingest-api (ApiConfig) ----
    public static final ConfigKey<Integer> MAX_BODY_BYTES = ConfigKey.integer("PULSE_MAX_BODY_BYTES", 10 * 1024 * 1024, 1024, 256 * 1024 * 1024,
            "largest request body, after decompression (413 above)");
    public static final ConfigKey<Integer> MAX_EVENT_BYTES = ConfigKey.integer("PULSE_MAX_EVENT_BYTES", 1024 * 1024, 256, 16 * 1024 * 1024,
            "largest serialized event envelope (413 naming the event's index)");
    public static final ConfigKey<Integer> MAX_EVENTS_PER_REQUEST = ConfigKey.integer("PULSE_MAX_EVENTS_PER_REQUEST", 10_000, 1, 1_000_000,
            "most events in one request (413 above)");
    public static final ConfigKey<Integer> MAX_JSON_DEPTH = ConfigKey.integer("PULSE_MAX_JSON_DEPTH", 64, 2, 1000,
            "deepest JSON nesting of a request body (400 above)");
    public static final ConfigKey<Duration> EVENT_TIME_MAX_SKEW = ConfigKey.duration("PULSE_EVENT_TIME_MAX_SKEW", "PT1H", Duration.ZERO,
            Duration.ofDays(3_000_000), "how far ahead of the API's clock an event's timestamp may be (400 naming the event beyond it;"
                    + " P3000000D lets through every time a table can hold)");
    public static final ConfigKey<java.time.Instant> EVENT_TIME_FLOOR = ConfigKey.of("PULSE_EVENT_TIME_FLOOR", "RFC 3339 instant",
            "2000-01-01T00:00:00Z", () -> "2000-01-01T00:00:00Z", PulseKeys::instant,
            "the earliest event timestamp accepted (400 naming the event before it)");
    public static final ConfigKey<Integer> PRODUCE_TIMEOUT_MS = ConfigKey.integer("PULSE_PRODUCE_TIMEOUT_MS", 30_000, 1000, 300_000,
            "how long a request waits for Kafka's acknowledgements before answering 503");
    public static final ConfigKey<Integer> KEY_USAGE_FLUSH_MS = ConfigKey.integer("PULSE_KEY_USAGE_FLUSH_MS", 5000, 100, 60_000,
            "how often API keys' last_used_at is written (one UPDATE per tenant)");
    public static final ConfigKey<Integer> TOPIC_PARTITIONS_FREE = ConfigKey.integer("PULSE_TOPIC_PARTITIONS_FREE", 1, 1, 1000,
            "partitions of the topics of a new tenant of tier free");
    public static final ConfigKey<Integer> TOPIC_PARTITIONS = ConfigKey.integer("PULSE_TOPIC_PARTITIONS", 3, 1, 1000,
            "partitions of the topics of a new tenant of tier standard");
    public static final ConfigKey<Integer> TOPIC_PARTITIONS_ENTERPRISE = ConfigKey.integer("PULSE_TOPIC_PARTITIONS_ENTERPRISE", 12, 1, 1000,
            "partitions of the topics of a new tenant of tier enterprise");
    public static final ConfigKey<Integer> TOPIC_REPLICATION_FACTOR = ConfigKey.integer("PULSE_TOPIC_REPLICATION_FACTOR", 0, 0, 32,
            "replicas of each partition of a new tenant's topics; 0: the broker's default.replication.factor");
    public static final ConfigKey<Integer> TOPIC_MIN_INSYNC_REPLICAS = ConfigKey.integer("PULSE_TOPIC_MIN_INSYNC_REPLICAS", 0, 0, 32,
            "min.insync.replicas of a new tenant's topics (an acknowledged event is on this many brokers); 0: the broker's default");

    public static final ConfigKey<Duration> IDEMPOTENCY_KEY_TTL = ConfigKey.duration("PULSE_IDEMPOTENCY_KEY_TTL", "P1D", Duration.ofSeconds(1),
            Duration.ofDays(30), "how long an Idempotency-Key of POST /v1/events is remembered (its response replayed, another body refused); "
                    + "then the key may be used again as new");

    // ---- ingest-api rate limits (RateLimitConfig) ----
    public static final ConfigKey<Long> RATE_LIMIT_EVENTS_FREE = ConfigKey.longInteger("PULSE_RATE_LIMIT_EVENTS_FREE", 1_000, 1, 10_000_000,
            "events per second a tenant of tier free may send to POST /v1/events (429 above), unless an operator set its own");
    public static final ConfigKey<Long> RATE_LIMIT_EVENTS = ConfigKey.longInteger("PULSE_RATE_LIMIT_EVENTS", 10_000, 1, 10_000_000,
            "events per second a tenant of tier standard may send");
    public static final ConfigKey<Long> RATE_LIMIT_EVENTS_ENTERPRISE = ConfigKey.longInteger("PULSE_RATE_LIMIT_EVENTS_ENTERPRISE", 100_000, 1,
            10_000_000, "events per second a tenant of tier enterprise may send");
    public static final ConfigKey<Long> RATE_LIMIT_BYTES_FREE = ConfigKey.longInteger("PULSE_RATE_LIMIT_BYTES_FREE", 1_048_576, 1024,
            10_737_418_240L, "bytes per second (of events as produced) a tenant of tier free may send");
    public static final ConfigKey<Long> RATE_LIMIT_BYTES = ConfigKey.longInteger("PULSE_RATE_LIMIT_BYTES", 10_485_760, 1024, 10_737_418_240L,
            "bytes per second a tenant of tier standard may send");
    public static final ConfigKey<Long> RATE_LIMIT_BYTES_ENTERPRISE = ConfigKey.longInteger("PULSE_RATE_LIMIT_BYTES_ENTERPRISE", 104_857_600,
            1024, 10_737_418_240L, "bytes per second a tenant of tier enterprise may send");
    public static final ConfigKey<Duration> RATE_LIMIT_BURST = ConfigKey.duration("PULSE_RATE_LIMIT_BURST", "PT10S", Duration.ofSeconds(1),
            Duration.ofHours(1), "how many seconds of its rates a tenant may send at once (each token bucket holds rate x burst)");
    public static final ConfigKey<Duration> RATE_LIMIT_REFRESH = ConfigKey.duration("PULSE_RATE_LIMIT_REFRESH", "PT5S", Duration.ofMillis(100),
            Duration.ofMinutes(10), "how long a replica keeps a tenant's rates before reading them again: an operator's change applies within it");
    public static final ConfigKey<Integer> API_REPLICAS = ConfigKey.integer("PULSE_API_REPLICAS", 1, 1, 1000,
            "how many ingest-api replicas serve; each enforces 1/N of every tenant's rate limits");

    // ---- ingest-worker (WorkerConfig) ----
    /** The shared worker group's name: {@code PULSE_WORKER_GROUP}'s default. */
    public static final String DEFAULT_WORKER_GROUP = "pulse-worker";
    public static final ConfigKey<String> WORKER_GROUP = ConfigKey.of("PULSE_WORKER_GROUP", "name", DEFAULT_WORKER_GROUP, () -> DEFAULT_WORKER_GROUP,
            PulseKeys::workerName, "Kafka consumer group of the workers; every replica of one deployment uses the same group");
    public static final ConfigKey<String> WORKER_TENANTS = ConfigKey.matching("PULSE_WORKER_TENANTS", "all",
            Pattern.compile("all|shared|enterprise"), "all, shared or enterprise",
            "which tenants this worker group reads: all; shared (all but the enterprise tier); enterprise (only that tier: a dedicated "
                    + "group, with its own PULSE_WORKER_GROUP)");
    public static final ConfigKey<String> WORKER_INSTANCE_ID = ConfigKey.of("PULSE_WORKER_INSTANCE_ID", "name", "random",
            () -> UUID.randomUUID().toString(), PulseKeys::workerName,
            "stable name of this replica: its Kafka transactional id, so a restarted replica aborts its predecessor's open transaction at once "
                    + "instead of after the transaction timeout")
            .underPulseDev("dev");
    public static final ConfigKey<Integer> WORKER_MAX_BATCH_RECORDS = ConfigKey.integer("PULSE_WORKER_MAX_BATCH_RECORDS", 5000, 1, 1_000_000,
            "most records one batch (one poll, one table commit per dataset, one Kafka transaction) holds");
    public static final ConfigKey<Integer> WORKER_COMMIT_THREADS = ConfigKey.integer("PULSE_WORKER_COMMIT_THREADS", 4, 1, 64,
            "how many of a batch's tables are written and committed at once (each table's commit is durable I/O: claims, Parquet, metadata, catalog, ledger)");
    public static final ConfigKey<Integer> WORKER_COMMIT_INTERVAL_MS = ConfigKey.integer("PULSE_WORKER_COMMIT_INTERVAL_MS", 500, 10, 60_000,
            "how long the broker may hold a fetch to fill a batch, and the poll timeout: the usual gap between commits");
    public static final ConfigKey<Integer> WORKER_FETCH_MIN_BYTES = ConfigKey.integer("PULSE_WORKER_FETCH_MIN_BYTES", 1_048_576, 1, 64 * 1_048_576,
            "bytes the broker waits for (up to the commit interval) before answering a fetch, so batches are not tiny");
    public static final ConfigKey<Integer> WORKER_MAX_RETRIES = ConfigKey.integer("PULSE_WORKER_MAX_RETRIES", 5, 0, 100,
            "attempts after the first for a retryable failure (database connection loss, Iceberg commit conflict)");
    public static final ConfigKey<Integer> WORKER_RETRY_BACKOFF_MS = ConfigKey.integer("PULSE_WORKER_RETRY_BACKOFF_MS", 200, 1, 60_000,
            "first backoff between retries; doubles on each attempt");
    public static final ConfigKey<Integer> WORKER_SESSION_TIMEOUT_MS = ConfigKey.integer("PULSE_WORKER_SESSION_TIMEOUT_MS", 10_000, 1_000, 3_600_000,
            "consumer group session timeout: how soon a killed worker's partitions move to another or to its restarted self "
                    + "(at least the broker's group.min.session.timeout.ms, 6000 by default, which pulse dev uses)")
            .underPulseDev("6000");
    public static final ConfigKey<Integer> WORKER_MAX_POLL_INTERVAL_MS = ConfigKey.integer("PULSE_WORKER_MAX_POLL_INTERVAL_MS", 300_000, 1_000,
            Integer.MAX_VALUE, "longest one batch may take before the group considers this worker stuck");
    public static final ConfigKey<Integer> WORKER_TRANSACTION_TIMEOUT_MS = ConfigKey.integer("PULSE_WORKER_TRANSACTION_TIMEOUT_MS", 60_000, 1_000,
            900_000, "how long the broker keeps a dead worker's open DLQ/offset transaction before aborting it");
    public static final ConfigKey<Integer> WORKER_TENANT_BACKOFF_MS = ConfigKey.integer("PULSE_WORKER_TENANT_BACKOFF_MS", 1000, 10, 3_600_000,
            "how long a tenant waits after one of its tables failed for a reason that is not one record's (metadata missing, commit refused) "
                    + "before its records are tried again; doubles with each failure in a row");
    public static final ConfigKey<Integer> WORKER_TENANT_BACKOFF_MAX_MS = ConfigKey.integer("PULSE_WORKER_TENANT_BACKOFF_MAX_MS", 300_000, 10,
            86_400_000, "the longest a failing tenant waits between tries");

    public static final ConfigKey<Duration> DEDUP_WINDOW = ConfigKey.duration("PULSE_DEDUP_WINDOW", "P1D", Duration.ofSeconds(1),
            Duration.ofDays(365), "an event whose event_id the dataset received less than this long ago is a duplicate and not stored again "
                    + "(ids are kept in pulse.event_ids for this long, then pruned)");

    // ---- usage metering, run in the worker process (dev.pulse.worker.usage) ----
    public static final ConfigKey<Boolean> USAGE_METERING = ConfigKey.bool("PULSE_USAGE_METERING", true,
            "whether `pulse worker` (and `pulse dev`) runs the usage topology beside the ingest loop (one Kafka Streams application, "
                    + "pulse-usage, shared by every worker process that runs it)");
    public static final ConfigKey<Path> USAGE_STATE_DIR = ConfigKey.of("PULSE_USAGE_STATE_DIR", "absolute path", "$TMPDIR/pulse-usage",
            () -> Path.of(System.getProperty("java.io.tmpdir"), "pulse-usage").toString(), PulseKeys::absolutePath,
            "the usage topology's local state (Kafka Streams state.dir; rebuilt from its changelog topics when lost); "
                    + "pulse dev uses <data-dir>/usage");
    // ---- dead letters (worker's DLQ indexer, pulse dlq replay) ----
    public static final ConfigKey<Integer> DLQ_PARK_AFTER = ConfigKey.integer("PULSE_DLQ_PARK_AFTER", 3, 1, 1000,
            "failed replays after which a dead letter is parked: later replays skip it unless asked for parked ones (--include-parked)");
    public static final ConfigKey<Integer> DLQ_REPLAY_RATE = ConfigKey.integer("PULSE_DLQ_REPLAY_RATE", 1000, 1, 1_000_000,
            "dead letters per second a replay sends back to a tenant's raw topic, so a large replay does not starve live ingest");

    // ---- lake maintenance, run by the worker (MaintenanceConfig) ----
    public static final ConfigKey<Boolean> MAINTENANCE_ENABLED = ConfigKey.bool("PULSE_MAINTENANCE_ENABLED", true,
            "whether the worker maintains the tables of the tenants whose raw-topic partition 0 it owns (compaction, snapshot expiry, orphan removal)");
    public static final ConfigKey<Duration> MAINTENANCE_INTERVAL = ConfigKey.duration("PULSE_MAINTENANCE_INTERVAL", "PT1M",
            Duration.ofMillis(100), Duration.ofDays(1),
            "how often each table is looked at; the metadata a table keeps is about (keep-all window + this) x its commit rate");
    public static final ConfigKey<Integer> MAINTENANCE_THREADS = ConfigKey.integer("PULSE_MAINTENANCE_THREADS", 1, 1, 64,
            "tables maintained at once per worker (low-priority threads beside ingestion)");
    public static final ConfigKey<Duration> SNAPSHOT_KEEP_ALL = ConfigKey.duration("PULSE_SNAPSHOT_KEEP_ALL", "PT10M", Duration.ZERO,
            Duration.ofDays(3650), "every snapshot younger than this is kept (time travel to any commit); older ones keep one point per hour");
    public static final ConfigKey<Duration> SNAPSHOT_RETENTION_FREE = ConfigKey.duration("PULSE_SNAPSHOT_RETENTION_FREE", "P1D", Duration.ZERO,
            Duration.ofDays(3650), "how long hourly time-travel points are kept for free tenants (a tenant's own setting wins)");
    public static final ConfigKey<Duration> SNAPSHOT_RETENTION = ConfigKey.duration("PULSE_SNAPSHOT_RETENTION", "P7D", Duration.ZERO,
            Duration.ofDays(3650), "how long hourly time-travel points are kept for standard tenants (a tenant's own setting wins)");
    public static final ConfigKey<Duration> SNAPSHOT_RETENTION_ENTERPRISE = ConfigKey.duration("PULSE_SNAPSHOT_RETENTION_ENTERPRISE", "P30D",
            Duration.ZERO, Duration.ofDays(3650),
            "how long hourly time-travel points are kept for enterprise tenants (a tenant's own setting wins)");
    public static final ConfigKey<Long> COMPACTION_TARGET_FILE_BYTES = ConfigKey.longInteger("PULSE_COMPACTION_TARGET_FILE_BYTES", 134_217_728L,
            1_024L, 16L * 1_073_741_824L, "compaction writes data files of about this size (128 MiB); files from 75% of it up are left alone");
    public static final ConfigKey<Integer> COMPACTION_MIN_INPUT_FILES = ConfigKey.integer("PULSE_COMPACTION_MIN_INPUT_FILES", 5, 2, 1_000,
            "small files of one size tier in one partition before they are merged (also the tier ratio)");
    public static final ConfigKey<Long> COMPACTION_MAX_INPUT_BYTES = ConfigKey.longInteger("PULSE_COMPACTION_MAX_INPUT_BYTES", 536_870_912L,
            1_024L, 1_099_511_627_776L, "most bytes one maintenance run of one table rewrites (512 MiB); the rest waits for the next run");
    public static final ConfigKey<Duration> COMPACTION_COLD_AFTER = ConfigKey.duration("PULSE_COMPACTION_COLD_AFTER", "PT1H", Duration.ZERO,
            Duration.ofDays(3650), "a partition that got no new file for this long has all its small files merged, whatever their sizes");
    public static final ConfigKey<Duration> ORPHAN_MIN_AGE = ConfigKey.duration("PULSE_ORPHAN_MIN_AGE", "PT1H", Duration.ZERO,
            Duration.ofDays(3650), "an unreferenced file in a table's folder is removed only when older than this (a batch or compaction in "
                    + "flight has written files it has not committed yet); at least twice PULSE_WORKER_MAX_POLL_INTERVAL_MS");
    public static final ConfigKey<Duration> ORPHAN_SCAN_INTERVAL = ConfigKey.duration("PULSE_ORPHAN_SCAN_INTERVAL", "PT1H", Duration.ZERO,
            Duration.ofDays(3650), "how often a table's folder is listed for orphan files");

    // ---- lake-query (QueryConfig) ----
    public static final ConfigKey<Integer> PREVIEW_DEFAULT_LIMIT = ConfigKey.integer("PULSE_PREVIEW_DEFAULT_LIMIT", 100, 1, 1_000_000,
            "rows a preview returns when the request names no limit");
    public static final ConfigKey<Integer> PREVIEW_MAX_LIMIT = ConfigKey.integer("PULSE_PREVIEW_MAX_LIMIT", 10_000, 1, 1_000_000,
            "largest limit a preview accepts; above it the request is refused with 400");
    public static final ConfigKey<Long> QUERY_TIMEOUT_MS = ConfigKey.longInteger("PULSE_QUERY_TIMEOUT_MS", 30_000, 10, 3_600_000,
            "wall-clock time one DuckDB query may run before it is cancelled; also the most a preview waits for its table's metadata");
    /** What DuckDB accepts for memory_limit, and nothing that could break out of a SQL literal. */
    private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]{0,8}(\\.[0-9]{1,3})?\\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", Pattern.CASE_INSENSITIVE);
    public static final ConfigKey<String> QUERY_MEMORY_LIMIT = ConfigKey.matching("PULSE_QUERY_MEMORY_LIMIT", "1GB", MEMORY,
            "a memory size such as 512MB or 1GB", "DuckDB memory_limit of one query, e.g. 512MB or 1GB");
    public static final ConfigKey<Integer> QUERY_MAX_ROWS = ConfigKey.integer("PULSE_QUERY_MAX_ROWS", 100_000, 1, 10_000_000,
            "most rows one query may return");
    public static final ConfigKey<Integer> QUERY_THREADS = ConfigKey.integer("PULSE_QUERY_THREADS", 2, 1, 256, "DuckDB threads of one query");
    public static final ConfigKey<Path> QUERY_TEMP_DIR = ConfigKey.of("PULSE_QUERY_TEMP_DIR", "absolute path", "$TMPDIR/pulse-query",
            () -> Path.of(System.getProperty("java.io.tmpdir"), "pulse-query").toString(), PulseKeys::absolutePath,
            "folder under which each query gets its own DuckDB temp_directory, deleted afterwards");
    public static final ConfigKey<Path> QUERY_CACHE_DIR = ConfigKey.of("PULSE_QUERY_CACHE_DIR", "absolute path", "$TMPDIR/pulse-query-cache",
            () -> Path.of(System.getProperty("java.io.tmpdir"), "pulse-query-cache").toString(), PulseKeys::absolutePath,
            "object-store warehouse only: the local copies of data files that DuckDB reads, one folder per tenant namespace");
    public static final ConfigKey<Long> QUERY_CACHE_BYTES = ConfigKey.longInteger("PULSE_QUERY_CACHE_BYTES", 2L << 30, 1L << 20, 1L << 50,
            "object-store warehouse only: the cache's size; least recently read files are deleted beyond it");
    public static final ConfigKey<Duration> QUERY_CACHE_IDLE = ConfigKey.duration("PULSE_QUERY_CACHE_IDLE", "PT1H", Duration.ofSeconds(1), Duration.ofDays(30),
            "object-store warehouse only: a cached copy not read for this long is deleted (a deleted tenant's copies are gone this long after their last read)");
    public static final ConfigKey<Integer> QUERY_MAX_CONCURRENT = ConfigKey.integer("PULSE_QUERY_MAX_CONCURRENT", 4, 1, 1024,
            "DuckDB queries running at once; more wait briefly, then get 429 with Retry-After");

    // ---- the command line ----
    // ---- tenant lifecycle (pulse tenant delete / verify-deletion) ----
    public static final ConfigKey<String> DELETION_SIGNING_KEY = ConfigKey.string("PULSE_DELETION_SIGNING_KEY", "path", "",
            "Ed25519 private key (PKCS#8 PEM; public key in <file>.pub) that signs certificates of deletion; pulse dev makes "
                    + "<data-dir>/deletion-signing-key.pem").documentedAs("none");
    public static final ConfigKey<String> ENV_FILE = ConfigKey.string(Settings.ENV_FILE_KEY, "path", "",
            "the pulse.env file read for the keys the environment leaves unset").documentedAs("./.pulse/pulse.env");
    public static final ConfigKey<String> JAVA_OPTS = ConfigKey.string("PULSE_JAVA_OPTS", "JVM options", "",
            "extra options for the JVM the ./pulse launcher starts (read by the launcher script, never by a service)").documentedAs("none");

    /** Every key, in the order above. */
    public static final List<ConfigKey<?>> ALL = List.of(
            DATABASE_URL, ADMIN_DATABASE_URL, OPERATOR_DATABASE_URL, CATALOG_DATABASE_URL, KAFKA_BOOTSTRAP, WAREHOUSE, FILE_IO, S3_ENDPOINT, S3_REGION,
            S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, DB_POOL_SIZE,
            API_PORT, QUERY_PORT, BIND_ADDRESS, OPERATOR_TOKEN, API_URL, QUERY_URL, METRICS_TOKEN, METRICS_TENANT_LABELS, WORKER_METRICS_PORT,
            MAX_BODY_BYTES, MAX_EVENT_BYTES, MAX_EVENTS_PER_REQUEST, MAX_JSON_DEPTH, EVENT_TIME_MAX_SKEW, EVENT_TIME_FLOOR, PRODUCE_TIMEOUT_MS, KEY_USAGE_FLUSH_MS,
            IDEMPOTENCY_KEY_TTL,
            TOPIC_PARTITIONS_FREE, TOPIC_PARTITIONS, TOPIC_PARTITIONS_ENTERPRISE, TOPIC_REPLICATION_FACTOR, TOPIC_MIN_INSYNC_REPLICAS,
            RATE_LIMIT_EVENTS_FREE, RATE_LIMIT_EVENTS, RATE_LIMIT_EVENTS_ENTERPRISE, RATE_LIMIT_BYTES_FREE, RATE_LIMIT_BYTES,
            RATE_LIMIT_BYTES_ENTERPRISE, RATE_LIMIT_BURST, RATE_LIMIT_REFRESH, API_REPLICAS,
            WORKER_GROUP, WORKER_TENANTS, WORKER_INSTANCE_ID, WORKER_MAX_BATCH_RECORDS, WORKER_COMMIT_THREADS, WORKER_COMMIT_INTERVAL_MS, WORKER_FETCH_MIN_BYTES, WORKER_MAX_RETRIES,
            WORKER_RETRY_BACKOFF_MS, WORKER_SESSION_TIMEOUT_MS, WORKER_MAX_POLL_INTERVAL_MS, WORKER_TRANSACTION_TIMEOUT_MS,
            WORKER_TENANT_BACKOFF_MS, WORKER_TENANT_BACKOFF_MAX_MS, DEDUP_WINDOW, DLQ_PARK_AFTER, DLQ_REPLAY_RATE,
            USAGE_METERING, USAGE_STATE_DIR,
            MAINTENANCE_ENABLED, MAINTENANCE_INTERVAL, MAINTENANCE_THREADS, SNAPSHOT_KEEP_ALL, SNAPSHOT_RETENTION_FREE, SNAPSHOT_RETENTION,
            SNAPSHOT_RETENTION_ENTERPRISE, COMPACTION_TARGET_FILE_BYTES, COMPACTION_MIN_INPUT_FILES, COMPACTION_MAX_INPUT_BYTES,
            COMPACTION_COLD_AFTER, ORPHAN_MIN_AGE, ORPHAN_SCAN_INTERVAL,
            PREVIEW_DEFAULT_LIMIT, PREVIEW_MAX_LIMIT, QUERY_TIMEOUT_MS, QUERY_MEMORY_LIMIT, QUERY_MAX_ROWS, QUERY_THREADS, QUERY_TEMP_DIR,
            QUERY_MAX_CONCURRENT, QUERY_CACHE_DIR, QUERY_CACHE_BYTES, QUERY_CACHE_IDLE,
            DELETION_SIGNING_KEY, ENV_FILE, JAVA_OPTS);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private PulseKeys() {
    }

    /**
     * The values {@code pulse dev} sets for its own stack where they differ from the defaults:
     * loopback only, a stable worker instance id (a restarted worker fences its predecessor at
     * once), and the broker's least session timeout (a killed worker's partitions return ~6 s later).
     */
    public static Map<String, String> devDefaults() {
        Map<String, String> values = new LinkedHashMap<>();
        ALL.forEach(key -> key.devDefault().ifPresent(value -> values.put(key.name(), value)));
        return values;
    }

    private static java.time.Instant instant(String key, String raw) {
        try {
            return java.time.Instant.parse(raw.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConfigException(key + "=" + raw + " is not an RFC 3339 instant such as 2000-01-01T00:00:00Z");
        }
    }

    private static String workerName(String key, String value) {
        if (!NAME.matcher(value).matches()) {
            throw new ConfigException(key + "='" + value + "' is invalid: use 1 to 200 letters, digits, '.', '_' or '-'");
        }
        return value;
    }

    private static String operatorToken(String key, String raw) {
        String token = raw.strip();
        if (token.length() < MIN_OPERATOR_TOKEN_LENGTH) {
            throw new ConfigException(key + " is too short: it must have at least " + MIN_OPERATOR_TOKEN_LENGTH + " characters");
        }
        return token;
    }

    /** Empty (unset: another credential stands in) or a token as long as the operator's. */
    private static String optionalToken(String key, String raw) {
        return raw.isBlank() ? "" : operatorToken(key, raw);
    }

    private static Path absolutePath(String key, String value) {
        try {
            Path path = Path.of(value);
            if (!path.isAbsolute()) {
                throw new ConfigException(key + "=" + value + " must be an absolute path");
            }
            return path.normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(key + "=" + value + " is not a valid path: " + e.getReason());
        }
    }
}
