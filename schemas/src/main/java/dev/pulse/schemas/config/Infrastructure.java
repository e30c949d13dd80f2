package dev.pulse.schemas.config;

import dev.pulse.schemas.lake.LakeCatalog;
import dev.pulse.schemas.lake.Warehouse;
import dev.pulse.schemas.tenancy.JdbcUrls;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.util.Properties;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

/**
 * Where the shared infrastructure is: the runtime database, the Iceberg catalog and warehouse,
 * the Kafka bootstrap. Every service's typed configuration holds one of these.
 */
public record Infrastructure(String databaseUrl, String catalogUrl, Warehouse warehouse, String kafkaBootstrap, int poolSize) {

    public static Infrastructure from(Settings settings) {
        String databaseUrl = settings.get(PulseKeys.DATABASE_URL);
        String catalogUrl = settings.get(PulseKeys.CATALOG_DATABASE_URL);
        checkUser(PulseKeys.DATABASE_URL, databaseUrl, "pulse_app");
        checkUser(PulseKeys.CATALOG_DATABASE_URL, catalogUrl, "pulse_catalog");
        return new Infrastructure(
                databaseUrl,
                catalogUrl,
                warehouse(settings),
                settings.get(PulseKeys.KAFKA_BOOTSTRAP),
                settings.get(PulseKeys.DB_POOL_SIZE));
    }

    /** {@code PULSE_WAREHOUSE} with its FileIO: {@code PULSE_FILE_IO}, and for {@code s3://} the {@code PULSE_S3_*} keys. */
    public static Warehouse warehouse(Settings settings) {
        String location = settings.get(PulseKeys.WAREHOUSE);
        String accessKey = settings.get(PulseKeys.S3_ACCESS_KEY_ID);
        String secretKey = settings.get(PulseKeys.S3_SECRET_ACCESS_KEY);
        if (accessKey.isBlank() != secretKey.isBlank()) {
            throw new ConfigException(PulseKeys.S3_ACCESS_KEY_ID + " and " + PulseKeys.S3_SECRET_ACCESS_KEY + " are set together or not at all");
        }
        return Warehouse.of(location, settings.get(PulseKeys.FILE_IO),
                new Warehouse.S3(settings.get(PulseKeys.S3_ENDPOINT), settings.get(PulseKeys.S3_REGION), accessKey, secretKey));
    }

    /**
     * {@code PULSE_OPERATOR_DATABASE_URL}, checked to connect as pulse_operator. Read only by the
     * operator control plane (ingest-api, pulse doctor): the worker and lake-query never hold it.
     */
    public static String operatorDatabaseUrl(Settings settings) {
        String url = settings.get(PulseKeys.OPERATOR_DATABASE_URL);
        checkUser(PulseKeys.OPERATOR_DATABASE_URL, url, "pulse_operator");
        return url;
    }

    private static void checkUser(ConfigKey<String> key, String url, String expected) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException(key + " must be a PostgreSQL JDBC URL (jdbc:postgresql://...), got " + JdbcUrls.redact(url));
        }
        String user = JdbcUrls.parameter(url, "user");
        if (user == null || JdbcUrls.parameter(url, "password") == null) {
            throw new ConfigException(key + " must carry user and password parameters: " + JdbcUrls.redact(url));
        }
        if (!user.equals(expected)) {
            throw new ConfigException(key + " connects as '" + user + "'; it must connect as " + expected);
        }
    }

    public TenantDatabase openDatabase(String poolName) {
        return TenantDatabase.connect(databaseUrl, poolSize, poolName);
    }

    public JdbcCatalog openCatalog() {
        return LakeCatalog.open(catalogUrl, warehouse);
    }

    public Admin openKafkaAdmin() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(props);
    }
}
