package dev.pulse.schemas.lake;

import dev.pulse.schemas.tenancy.JdbcUrls;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Opens the Iceberg {@link JdbcCatalog} that lives in PostgreSQL, in schema pulse_catalog, reached
 * with the pulse_catalog role (never pulse_app), over a {@link Warehouse}: a local folder with
 * {@link LocalFileIO}, or an S3-compatible bucket with S3FileIO.
 */
public final class LakeCatalog {
    private static final String CATALOG_NAME = "pulse";
    /** Connections to the catalog's database per opened catalog, opened as needed. */
    static final int CLIENT_POOL_SIZE = 6;
    /** Iceberg's JdbcClientPool key (JdbcUtil.RETRYABLE_STATUS_CODES, not public): SQLSTATEs after which it reconnects. */
    static final String RETRYABLE_STATUS_CODES = "retryable_status_codes";

    private LakeCatalog() {
    }

    public static JdbcCatalog open(String catalogJdbcUrl, Warehouse warehouse) {
        Map<String, String> props = new HashMap<>();
        props.put(CatalogProperties.URI, catalogJdbcUrl);
        var credentials = JdbcUrls.credentials(catalogJdbcUrl);
        props.put("jdbc.user", credentials.getKey());
        props.put("jdbc.password", credentials.getValue());
        props.put("jdbc.schema-version", "V1");
        // Iceberg's default is 2 connections; the worker commits several tables at once
        // (PULSE_WORKER_COMMIT_THREADS) beside its maintenance threads, which would queue on 2.
        props.put(CatalogProperties.CLIENT_POOL_SIZE, Integer.toString(CLIENT_POOL_SIZE));
        // A pooled catalog connection that PostgreSQL ended (a restart, a failover) fails with 57P01
        // (admin shutdown), which Iceberg does not count as a connection failure: the pool kept the
        // dead connection and the call failed. Listed here, the pool reconnects and retries the call
        // once, as it does for class 08 (its default list, which these are added to).
        props.put(RETRYABLE_STATUS_CODES, "57P01,57P02,57P03");
        props.putAll(warehouse.properties());
        props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse.location());
        props.put(CatalogProperties.FILE_IO_IMPL, warehouse.fileIoImpl());
        warehouse.prepareClients();
        JdbcCatalog catalog = new JdbcCatalog();
        catalog.initialize(CATALOG_NAME, props);
        return catalog;
    }

}
