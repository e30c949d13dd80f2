package dev.pulse.schemas.config;

/** The configuration keys the modules share. Each service's typed config documents its own. */
public final class PulseKeys {
    /** JDBC URL of the runtime role (pulse_app), with user and password parameters. */
    public static final String DATABASE_URL = "PULSE_DATABASE_URL";
    /** JDBC URL of the owner/admin role: migrations and DDL only. */
    public static final String ADMIN_DATABASE_URL = "PULSE_ADMIN_DATABASE_URL";
    /**
     * JDBC URL of the operator role (pulse_operator): the tenant directory and the audit log
     * across tenants, for the operator control plane (ingest-api's /admin/v1, pulse doctor) only.
     */
    public static final String OPERATOR_DATABASE_URL = "PULSE_OPERATOR_DATABASE_URL";
    /** JDBC URL of the Iceberg catalog role (pulse_catalog), with currentSchema=pulse_catalog. */
    public static final String CATALOG_DATABASE_URL = "PULSE_CATALOG_DATABASE_URL";
    public static final String KAFKA_BOOTSTRAP = "PULSE_KAFKA_BOOTSTRAP";
    /** The Iceberg warehouse: a local folder by default. */
    public static final String WAREHOUSE = "PULSE_WAREHOUSE";
    public static final String API_PORT = "PULSE_API_PORT";
    /** The address the HTTP services listen on: all interfaces by default (containers), 127.0.0.1 under pulse dev. */
    public static final String BIND_ADDRESS = "PULSE_BIND_ADDRESS";
    public static final String QUERY_PORT = "PULSE_QUERY_PORT";
    public static final String OPERATOR_TOKEN = "PULSE_OPERATOR_TOKEN";
    public static final String API_URL = "PULSE_API_URL";
    public static final String QUERY_URL = "PULSE_QUERY_URL";
    public static final String DB_POOL_SIZE = "PULSE_DB_POOL_SIZE";
    public static final String TOPIC_PARTITIONS = "PULSE_TOPIC_PARTITIONS";
    public static final String FILE_IO = "PULSE_FILE_IO";

    private PulseKeys() {
    }
}
