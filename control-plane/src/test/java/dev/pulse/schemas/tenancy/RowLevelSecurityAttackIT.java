package dev.pulse.schemas.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.deadletters.DeadLetterFilter;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.schemas.directory.IngestStatus;
import dev.pulse.schemas.freshness.IngestWatermarks;
import dev.pulse.schemas.event.IcebergSchemas;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attacks on PostgreSQL isolation, as the runtime role pulse_app. The tenant tables are found
 * from the catalog (every table in schema pulse with a tenant_id column), not from a list here,
 * so a table added later is attacked too.
 */
class RowLevelSecurityAttackIT {
    static TestStack stack;
    static TenantRecord a;
    static TenantRecord b;
    static List<String> tenantTables;

    @BeforeAll
    static void setUp() throws Exception {
        stack = TestStack.shared();
        a = stack.newTenant();
        b = stack.newTenant();
        var schema = new ObjectMapper().readTree("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}}}");
        for (TenantRecord t : List.of(a, b)) {
            stack.keys().create(t.id(), "k", Set.of(Scope.INGEST), null);
            stack.schemas().register(t.id(), "orders", schema);
            stack.datasets().create(t.id(), "orders", "orders", null, IcebergSchemas.Partitioning.DAY);
        }
        tenantTables = new ArrayList<>();
        try (Connection admin = stack.adminConnection(); Statement st = admin.createStatement();
                ResultSet rs = st.executeQuery("""
                        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                          JOIN pg_attribute att ON att.attrelid = c.oid AND att.attname = 'tenant_id' AND NOT att.attisdropped
                         WHERE n.nspname = 'pulse' AND c.relkind IN ('r', 'p') ORDER BY 1""")) {
            while (rs.next()) {
                tenantTables.add(rs.getString(1));
            }
        }
        assertThat(tenantTables).contains("tenants", "api_keys", "event_schemas", "datasets", "ingest_commits", "event_ids", "idempotency_keys",
                "dead_letters", "dead_letter_offsets", "dead_letter_replays", "dead_letter_counts");
    }

    static Connection runtime() throws Exception {
        return DriverManager.getConnection(stack.environment().get("PULSE_DATABASE_URL"));
    }

    @Test
    void noTenantAndAnEmptyTenantBothSeeZeroRowsInEveryTenantTable() throws Exception {
        try (Connection c = runtime(); Statement st = c.createStatement();
                PreparedStatement bind = c.prepareStatement("SELECT set_config('app.current_tenant_id', ?, false)")) {
            for (String setting : new String[] {null, ""}) {
                if (setting != null) {
                    bind.setString(1, setting);
                    bind.execute();
                }
                for (String table : tenantTables) {
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pulse." + table)) {
                        rs.next();
                        assertThat(rs.getLong(1)).as("%s with setting %s", table, setting).isZero();
                    }
                }
            }
        }
    }

    @Test
    void interleavedTenantTransactionsOnAPoolOfOneNeverSeeAForeignRow() {
        try (TenantDatabase pool = TenantDatabase.connect(stack.environment().get("PULSE_DATABASE_URL"), 1, "interleave")) {
            long foreign = 0;
            for (int i = 0; i < 10_000; i++) {
                TenantRecord self = i % 2 == 0 ? a : b;
                foreign += pool.inTenant(self.id(), tx -> tx.queryOptional(
                        "SELECT count(*) FROM pulse.datasets WHERE tenant_id <> ?", rs -> rs.getLong(1), self.id()).orElseThrow());
                Long own = pool.inTenant(self.id(), tx -> tx.queryOptional("SELECT count(*) FROM pulse.datasets", rs -> rs.getLong(1)).orElseThrow());
                assertThat(own).isEqualTo(1L);
            }
            assertThat(foreign).isZero();
        }
    }

    @Test
    void writingARowWithAnotherTenantsIdFailsInEveryTable() throws Exception {
        // A commit-ledger row for A, so that every tenant table holds a row of A to copy.
        stack.db().inTenant(a.id(), tx -> tx.update("""
                INSERT INTO pulse.ingest_commits (tenant_id, dataset_slug, snapshot_id, topic, kafka_partition,
                                                  first_offset, next_offset, record_count, committed_at)
                VALUES (?, 'orders', 1, 'attack', 0, 0, 1, 1, now())""", a.id()));
        // And an ingest status row (the worker writes one when it holds a dataset back).
        stack.db().inTenant(a.id(), tx -> {
            IngestStatus.recordPaused(tx, "orders", "attack seed", Instant.now(), 1, Instant.now());
            return null;
        });
        // And a maintenance row (lake maintenance writes one per table it looked at).
        stack.db().inTenant(a.id(), tx -> tx.update(
                "INSERT INTO pulse.dataset_maintenance (tenant_id, dataset_slug, last_run_at) VALUES (?, 'orders', now())", a.id()));
        // And a freshness watermark (the worker writes one per partition of the tenant's raw topic).
        stack.db().inTenant(a.id(), tx -> {
            IngestWatermarks.advance(tx, 0, 1, Instant.now());
            return null;
        });
        // And a claimed event id and an idempotency key (the worker's deduplication, the API's Idempotency-Key).
        stack.db().inTenant(a.id(), tx -> tx.update("""
                INSERT INTO pulse.event_ids (tenant_id, dataset_slug, event_id, kafka_partition, kafka_offset, first_seen)
                VALUES (?, 'orders', 'attack-seed', 0, 0, now())""", a.id()));
        stack.db().inTenant(a.id(), tx -> tx.update("""
                INSERT INTO pulse.idempotency_keys (tenant_id, idempotency_key, request_hash, status, response, created_at)
                VALUES (?, 'attack-seed', '\\x00', 202, '{}', now())""", a.id()));
        // And a minute of usage (the usage topology's sink).
        stack.db().inTenant(a.id(), tx -> tx.update("""
                INSERT INTO pulse.usage_minutes (tenant_id, minute, metric, dimension, count, updated_at)
                VALUES (?, date_trunc('minute', now()), 'events_accepted', '', 1, now())""", a.id()));
        // And a dead letter, the DLQ indexer's offset and a replay run (the dead-letter store, V12).
        stack.db().inTenant(a.id(), tx -> {
            DeadLetterStore.fold(tx, new DeadLetterStore.Failure("0-0", "schema-violation", "validate", "attack seed", "orders", "e", List.of(),
                    0, 0, 0, 0, null, new byte[] {'{', '}'}, java.util.Map.of(), null, 1, Instant.now(), Instant.now()), 3);
            DeadLetterStore.advanceIndexed(tx, 0, null, 1);
            DeadLetterStore.startReplay(tx, java.util.UUID.randomUUID(), DeadLetterFilter.ALL, "system", null, Instant.now());
            return null;
        });
        for (String table : tenantTables) {
            List<String> columns = writableColumns(table);
            String copy = String.join(", ", columns.stream().map(c -> c.equals("tenant_id") ? "?::uuid" : quoted(c)).toList());
            String insert = "INSERT INTO pulse." + table + " (" + String.join(", ", columns.stream().map(RowLevelSecurityAttackIT::quoted).toList())
                    + ") SELECT " + copy + " FROM pulse." + table + " WHERE tenant_id = ? LIMIT 1";
            long ownRows = stack.db().inTenant(a.id(), tx -> tx.queryOptional(
                    "SELECT count(*) FROM pulse." + table, rs -> rs.getLong(1)).orElseThrow());
            assertThat(ownRows).as("tenant A needs a row in %s to copy (seed one in set-up)", table).isPositive();
            long foreignBefore = rowsOf(b, table);
            assertThatThrownBy(() -> stack.db().inTenant(a.id(), tx -> tx.update(insert, b.id(), a.id())))
                    .as("inserting a copy of A's row in %s with B's tenant_id", table)
                    .isInstanceOf(DatabaseException.class).hasMessageContaining("row-level security");
            if (runtimeRoleMay("UPDATE", table)) {
                assertThatThrownBy(() -> stack.db().inTenant(a.id(), tx -> tx.update(
                        "UPDATE pulse." + table + " SET tenant_id = ? WHERE tenant_id = ?", b.id(), a.id())))
                        .as("moving A's rows in %s to B", table)
                        .isInstanceOf(DatabaseException.class);
            }
            assertThat(rowsOf(b, table)).as("B's rows in %s after the attack", table).isEqualTo(foreignBefore);
        }
    }

    /** Every column an INSERT may name (not generated, not an identity), in table order. */
    static List<String> writableColumns(String table) throws Exception {
        List<String> columns = new ArrayList<>();
        try (Connection admin = stack.adminConnection(); PreparedStatement ps = admin.prepareStatement("""
                SELECT att.attname FROM pg_attribute att
                 WHERE att.attrelid = ('pulse.' || quote_ident(?))::regclass AND att.attnum > 0 AND NOT att.attisdropped
                   AND att.attgenerated = '' AND att.attidentity = '' ORDER BY att.attnum""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        assertThat(columns).as("columns of %s", table).contains("tenant_id");
        return columns;
    }

    static boolean runtimeRoleMay(String privilege, String table) throws Exception {
        try (Connection admin = stack.adminConnection(); PreparedStatement ps = admin.prepareStatement(
                "SELECT has_table_privilege('pulse_app', ('pulse.' || quote_ident(?))::regclass, ?)")) {
            ps.setString(1, table);
            ps.setString(2, privilege);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static long rowsOf(TenantRecord tenant, String table) {
        return stack.db().inTenant(tenant.id(), tx -> tx.queryOptional(
                "SELECT count(*) FROM pulse." + table, rs -> rs.getLong(1)).orElseThrow());
    }

    static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Test
    void aTenantBoundWriterCannotPointItsDatasetAtAnotherTenantsNamespace() {
        String foreign = dev.pulse.schemas.naming.LakeNames.namespace(b.id()).level(0);
        assertThatThrownBy(() -> stack.db().inTenant(a.id(), tx -> tx.update(
                "UPDATE pulse.datasets SET table_namespace = ? WHERE slug = 'orders'", foreign)))
                .isInstanceOf(DatabaseException.class).hasMessageContaining("datasets_table_in_tenant_namespace");
    }

    @Test
    void updatingOrDeletingAnotherTenantsRowByPrimaryKeyChangesNothing() {
        String keyOfB = stack.keys().keyIds(b.id()).getFirst();
        int updated = stack.db().inTenant(a.id(), tx -> tx.update(
                "UPDATE pulse.api_keys SET revoked_at = now() WHERE tenant_id = ? AND key_id = ?", b.id(), keyOfB));
        int deleted = stack.db().inTenant(a.id(), tx -> tx.update(
                "DELETE FROM pulse.api_keys WHERE tenant_id = ? AND key_id = ?", b.id(), keyOfB));
        int datasetUpdated = stack.db().inTenant(a.id(), tx -> tx.update(
                "UPDATE pulse.datasets SET row_count = 999 WHERE tenant_id = ? AND slug = 'orders'", b.id()));
        assertThat(updated + deleted + datasetUpdated).isZero();
        assertThat(stack.keys().keyIds(b.id())).contains(keyOfB);
        assertThat(stack.datasets().find(b.id(), "orders").orElseThrow().rowCount()).isZero();
    }

    @Test
    void aNameThatExistsOnlyInAnotherTenantIsFreeHereWithoutADuplicateKeyError() {
        // Both tenants already hold schema 'orders' v1 and dataset 'orders' (set-up): uniqueness is per tenant.
        TenantRecord c = stack.newTenant();
        var schema = stack.schemas().latest(a.id(), "orders").orElseThrow().definition();
        assertThat(stack.schemas().register(c.id(), "orders", schema).schema().version()).isEqualTo(1);
        assertThat(stack.datasets().create(c.id(), "orders", "orders", null, IcebergSchemas.Partitioning.DAY).slug()).isEqualTo("orders");
    }

    @Test
    void aPreparedStatementOnAGenericPlanStillReturnsEachTenantOnlyItsRows() throws Exception {
        try (Connection c = runtime()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET plan_cache_mode = force_generic_plan");
            }
            c.setAutoCommit(false);
            // pgjdbc switches to a server-side prepared statement after prepareThreshold (5) executions.
            try (PreparedStatement bind = c.prepareStatement("SELECT set_config('app.current_tenant_id', ?, true)");
                    PreparedStatement query = c.prepareStatement("SELECT tenant_id::text FROM pulse.datasets WHERE slug = ?")) {
                for (int i = 0; i < 20; i++) {
                    TenantRecord self = i % 2 == 0 ? a : b;
                    bind.setString(1, self.id().toString());
                    bind.execute();
                    query.setString(1, "orders");
                    List<String> seen = new ArrayList<>();
                    try (ResultSet rs = query.executeQuery()) {
                        while (rs.next()) {
                            seen.add(rs.getString(1));
                        }
                    }
                    assertThat(seen).containsExactly(self.id().toString());
                    c.commit();
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM pulse.datasets WHERE slug%'")) {
                assertThat(rs.next()).as("the statement was prepared server-side").isTrue();
                assertThat(rs.getLong(1)).as("generic plans used").isPositive();
            }
        }
    }

    @Test
    void theRuntimeRoleCannotTruncateAlterDisableRlsOrCreatePolicies() throws Exception {
        try (Connection c = runtime(); Statement st = c.createStatement()) {
            for (String table : tenantTables) {
                assertThatThrownBy(() -> st.execute("TRUNCATE pulse." + table)).hasMessageContaining("permission denied");
                assertThatThrownBy(() -> st.execute("ALTER TABLE pulse." + table + " DISABLE ROW LEVEL SECURITY")).hasMessageContaining("must be owner");
                assertThatThrownBy(() -> st.execute("ALTER TABLE pulse." + table + " NO FORCE ROW LEVEL SECURITY")).hasMessageContaining("must be owner");
                assertThatThrownBy(() -> st.execute("ALTER TABLE pulse." + table + " ADD COLUMN evil int")).hasMessageContaining("must be owner");
                assertThatThrownBy(() -> st.execute("CREATE POLICY evil ON pulse." + table + " USING (true)")).hasMessageContaining("must be owner");
                assertThatThrownBy(() -> st.execute("DROP POLICY tenant_isolation ON pulse." + table)).hasMessageContaining("must be owner");
            }
            assertThatThrownBy(() -> st.execute("CREATE TABLE pulse.evil (tenant_id uuid)")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> st.execute("SET ROLE pulse_admin")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> st.execute("CREATE OR REPLACE FUNCTION pulse.current_tenant_id() RETURNS uuid LANGUAGE sql AS 'SELECT NULL::uuid'"))
                    .hasMessageContaining("permission denied");
        }
    }
}
