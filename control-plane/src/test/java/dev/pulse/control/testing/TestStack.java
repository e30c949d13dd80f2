package dev.pulse.control.testing;

import dev.pulse.control.datasets.Datasets;
import dev.pulse.control.keys.ApiKeyStore;
import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.control.registry.SchemaRegistry;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.devstack.DevStack;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.lake.LakeCatalog;
import dev.pulse.schemas.tenancy.Migrations;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The integration-test fixture: one real stack (PostgreSQL, Kafka, warehouse) per test JVM,
 * migrated, shared by every test; tests isolate themselves by creating a fresh tenant each.
 * Tenants, keys, schemas and datasets are made through the control plane, so the fixture travels
 * in control-plane's test-jar (ingest-worker takes it, and the control plane, in test scope only).
 */
public final class TestStack {
    private static TestStack shared;
    private static TestStack objectStore;

    private final DevStack stack;
    private final TenantDatabase db;
    private final OperatorDatabase operatorDb;
    private final JdbcCatalog catalog;
    private final Admin kafkaAdmin;

    private TestStack(DevStack stack) {
        this.stack = stack;
        Map<String, String> env = stack.environment();
        Migrations.apply(env.get("PULSE_ADMIN_DATABASE_URL"), env.get("PULSE_DATABASE_URL"), env.get("PULSE_CATALOG_DATABASE_URL"),
                env.get("PULSE_OPERATOR_DATABASE_URL"));
        Migrations.harden(stack.superuserJdbcUrl());
        this.db = TenantDatabase.connect(env.get("PULSE_DATABASE_URL"), 8, "test-app");
        this.operatorDb = OperatorDatabase.connect(env.get("PULSE_OPERATOR_DATABASE_URL"), 2, "test-operator");
        this.catalog = LakeCatalog.open(env.get("PULSE_CATALOG_DATABASE_URL"), Infrastructure.warehouse(Settings.of(env)));
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        this.kafkaAdmin = Admin.create(props);
    }

    public static synchronized TestStack shared() {
        if (shared == null) {
            shared = start("pulse-test-stack", DevStack.Warehouse.FOLDER);
        }
        return shared;
    }

    /**
     * A second stack of this JVM whose warehouse is a bucket of an S3-compatible server (S3Proxy in
     * a JVM of its own) instead of a folder: for the object-storage option's tests.
     */
    public static synchronized TestStack objectStore() {
        if (objectStore == null) {
            objectStore = start("pulse-test-stack-s3", DevStack.Warehouse.OBJECT_STORE);
        }
        return objectStore;
    }

    /** A stack in a fresh temporary folder, stopped when the JVM exits. */
    private static TestStack start(String folderPrefix, DevStack.Warehouse warehouse) {
        try {
            TestStack stack = new TestStack(DevStack.start(Files.createTempDirectory(folderPrefix), warehouse));
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, folderPrefix + "-shutdown"));
            return stack;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary folder for the test stack", e);
        }
    }

    /** PULSE_* settings reaching this stack, with ports 0 so services pick free ones. */
    public Settings settings(Map<String, String> overrides) {
        var values = new java.util.HashMap<>(stack.environment());
        values.put("PULSE_API_PORT", "0");
        values.put("PULSE_QUERY_PORT", "0");
        values.put("PULSE_WORKER_METRICS_PORT", "0");
        values.put("PULSE_BIND_ADDRESS", "127.0.0.1");
        values.putAll(overrides);
        return Settings.of(values);
    }

    public Settings settings() {
        return settings(Map.of());
    }

    public Map<String, String> environment() {
        return stack.environment();
    }

    public DevStack devStack() {
        return stack;
    }

    public TenantDatabase db() {
        return db;
    }

    /** The operator role's reads (tenant directory, audit log across tenants). */
    public OperatorDatabase operatorDb() {
        return operatorDb;
    }

    public JdbcCatalog catalog() {
        return catalog;
    }

    public Admin kafkaAdmin() {
        return kafkaAdmin;
    }

    public Tenants tenants() {
        return new Tenants(db, kafkaAdmin, catalog, 2);
    }

    public ApiKeyStore keys() {
        return new ApiKeyStore(db);
    }

    public SchemaRegistry schemas() {
        return new SchemaRegistry(db);
    }

    public Datasets datasets() {
        return new Datasets(db, catalog);
    }

    /** A fresh, fully provisioned tenant with a random slug. */
    public TenantRecord newTenant() {
        String slug = "t" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        return tenants().create(slug.substring(0, Math.min(slug.length(), 20)), "test tenant", "standard").tenant();
    }

    /** A fresh tenant with one dataset on a one-version schema, and a key with the given scopes. */
    public record TenantWithDataset(TenantRecord tenant, String dataset, String key) {
    }

    /**
     * The set-up most integration tests start from: a fresh tenant, schema {@code dataset}
     * registered from {@code schemaJson}, dataset {@code dataset} on it, and one API key.
     */
    public TenantWithDataset newTenantWithDataset(String dataset, String schemaJson,
            dev.pulse.schemas.event.IcebergSchemas.Partitioning partitioning, dev.pulse.control.keys.Scope... scopes) {
        TenantRecord tenant = newTenant();
        try {
            schemas().register(tenant.id(), dataset, new com.fasterxml.jackson.databind.ObjectMapper().readTree(schemaJson));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON schema: " + schemaJson, e);
        }
        datasets().create(tenant.id(), dataset, dataset, null, partitioning);
        String key = keys().create(tenant.id(), "k", java.util.Set.of(scopes), null).token();
        return new TenantWithDataset(tenant, dataset, key);
    }

    /** A connection as the admin (owner) role, for tests that tamper or inspect as the owner. */
    public Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(stack.environment().get("PULSE_ADMIN_DATABASE_URL"));
    }

    /**
     * Runs one UPDATE of {@code pulse.datasets} as the owner would have to in order to tamper
     * with a row: in one transaction, lift FORCE RLS and the namespace constraint, update, and put
     * both back (the constraint NOT VALID, so the tampered row stays). Restoring the row through
     * this helper and calling {@link #revalidateDatasetConstraint()} returns to the normal state.
     */
    public int tamperDatasetsAsAdmin(String update, Object... params) throws SQLException {
        try (Connection c = adminConnection()) {
            c.setAutoCommit(false);
            int changed;
            try (java.sql.Statement st = c.createStatement(); java.sql.PreparedStatement ps = c.prepareStatement(update)) {
                st.execute("ALTER TABLE pulse.datasets NO FORCE ROW LEVEL SECURITY");
                st.execute("ALTER TABLE pulse.datasets DROP CONSTRAINT datasets_table_in_tenant_namespace");
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                changed = ps.executeUpdate();
                st.execute("ALTER TABLE pulse.datasets ADD CONSTRAINT datasets_table_in_tenant_namespace "
                        + "CHECK (table_namespace = 'pulse_' || replace(tenant_id::text, '-', '')) NOT VALID");
                st.execute("ALTER TABLE pulse.datasets FORCE ROW LEVEL SECURITY");
            }
            c.commit();
            return changed;
        }
    }

    /** After tampered rows were restored: the constraint holds for every row again. */
    public void revalidateDatasetConstraint() throws SQLException {
        try (Connection c = adminConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER TABLE pulse.datasets VALIDATE CONSTRAINT datasets_table_in_tenant_namespace");
        }
    }

    public String bootstrap() {
        return stack.kafkaBootstrap();
    }

    private void close() {
        kafkaAdmin.close();
        catalog.close();
        db.close();
        operatorDb.close();
        stack.close();
    }
}
