package dev.pulse.schemas.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.naming.TenantId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tenancy core against a real, migrated PostgreSQL, as the runtime role pulse_app. */
class TenancyIT {
    static final List<String> TENANT_TABLES = List.of("tenants", "api_keys", "event_schemas", "datasets", "ingest_commits", "ingest_watermarks",
            "event_ids", "idempotency_keys", "dead_letters", "dead_letter_offsets", "dead_letter_replays", "dead_letter_counts");
    static TestStack stack;
    static TenantRecord tenantA;
    static TenantRecord tenantB;

    @BeforeAll
    static void setUp() {
        stack = TestStack.shared();
        tenantA = stack.newTenant();
        tenantB = stack.newTenant();
        stack.keys().create(tenantA.id(), "a", Set.of(Scope.INGEST), null);
        stack.keys().create(tenantB.id(), "b", Set.of(Scope.INGEST), null);
    }

    @Test
    void withNoTenantBoundEveryTenantTableReturnsNoRows() throws Exception {
        try (Connection c = DriverManager.getConnection(stack.environment().get("PULSE_DATABASE_URL")); Statement st = c.createStatement()) {
            for (String table : TENANT_TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pulse." + table)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("rows visible in %s with no tenant bound", table).isZero();
                }
            }
            st.execute("SELECT set_config('app.current_tenant_id', '', false)");
            for (String table : TENANT_TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pulse." + table)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("rows visible in %s with an empty tenant setting", table).isZero();
                }
            }
        }
    }

    @Test
    void aTenantTransactionSeesOnlyItsOwnRows() {
        List<String> slugs = stack.db().inTenant(tenantA.id(), tx -> tx.query("SELECT slug FROM pulse.tenants", rs -> rs.getString(1)));
        assertThat(slugs).containsExactly(tenantA.slug());
        List<String> keyTenants = stack.db().inTenant(tenantA.id(), tx -> tx.query("SELECT DISTINCT tenant_id::text FROM pulse.api_keys", rs -> rs.getString(1)));
        assertThat(keyTenants).containsExactly(tenantA.id().toString());
    }

    @Test
    void theNextTransactionOnThePooledConnectionSeesNoTenant() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(stack.environment().get("PULSE_DATABASE_URL"));
        config.setMaximumPoolSize(1);
        config.setPoolName("single");
        try (HikariDataSource pool = new HikariDataSource(config)) {
            TenantDatabase onePool = new TenantDatabase(pool);
            Integer backendInside = onePool.inTenant(tenantA.id(), tx -> tx.queryOptional(
                    "SELECT pg_backend_pid()", rs -> rs.getInt(1)).orElseThrow());
            // Outside the helper: borrow the pool's only connection and read what it carries. Were
            // the binding session-level (set_config(..., false)), tenant A would still be bound here.
            try (Connection pooled = pool.getConnection()) {
                pooled.setAutoCommit(false);
                try (Statement st = pooled.createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), current_setting('app.current_tenant_id', true), "
                                + "(SELECT count(*) FROM pulse.tenants)")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the same pooled connection").isEqualTo(backendInside);
                    assertThat(rs.getString(2)).as("tenant setting after the helper's transaction").isNullOrEmpty();
                    assertThat(rs.getLong(3)).as("tenant rows visible after the helper's transaction").isZero();
                }
                pooled.commit();
            }
            // The directory lookup borrows the same (only) connection without binding a tenant.
            assertThat(onePool.tenantForSlug("no-such-tenant")).isEmpty();
            Long visible = onePool.inTenant(tenantB.id(), tx -> tx.queryOptional(
                    "SELECT count(*) FROM pulse.tenants WHERE tenant_id = ?", rs -> rs.getLong(1), tenantA.id()).orElseThrow());
            assertThat(visible).isZero();
        }
    }

    @Test
    void insertingARowWithAnotherTenantsIdIsRejected() {
        assertThatThrownBy(() -> stack.db().inTenant(tenantA.id(), tx -> tx.update(
                "INSERT INTO pulse.event_schemas (tenant_id, name, version, definition, fingerprint) VALUES (?, 'x', 1, '{}', 'f')",
                tenantB.id())))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("row-level security");
    }

    @Test
    void updatingAnotherTenantsRowChangesNothing() {
        int changed = stack.db().inTenant(tenantA.id(), tx -> tx.update(
                "UPDATE pulse.tenants SET name = 'pwned' WHERE tenant_id = ?", tenantB.id()));
        assertThat(changed).isZero();
        assertThat(stack.tenants().load(tenantB.id()).orElseThrow().name()).isEqualTo("test tenant");
    }

    @Test
    void directoryFunctionsAnswerOnlyExactMatches() {
        assertThat(stack.db().tenantForSlug(tenantA.slug())).contains(tenantA.id());
        assertThat(stack.db().tenantForSlug(tenantA.slug().substring(0, 3))).isEmpty();
        assertThat(stack.db().tenantForSlug(tenantA.slug() + "%")).isEmpty();
        String keyId = stack.keys().keyIds(tenantA.id()).getFirst();
        assertThat(stack.db().tenantForApiKey(keyId)).contains(tenantA.id());
        assertThat(stack.db().tenantForApiKey(keyId.substring(0, 8))).isEmpty();
    }

    @Test
    void theRuntimeRoleCannotReadTheDirectoryDirectly() throws Exception {
        try (Connection c = DriverManager.getConnection(stack.environment().get("PULSE_DATABASE_URL")); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELECT * FROM pulse_directory.tenant_slugs"))
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void theStartUpGuardAcceptsTheRuntimeRole() {
        stack.db().requireSafeRuntimeRole();
    }

    @Test
    void theStartUpGuardRefusesASuperuser() {
        try (TenantDatabase superuser = TenantDatabase.connect(stack.devStack().superuserJdbcUrl(), 1, "superuser")) {
            assertThatThrownBy(superuser::requireSafeRuntimeRole)
                    .isInstanceOf(UnsafeRuntimeRoleException.class)
                    .hasMessageContaining("superuser");
        }
    }

    @Test
    void theStartUpGuardRefusesATenantTableWithoutForcedRowLevelSecurity() throws Exception {
        String table = "pulse.guard_probe_" + Long.toHexString(System.nanoTime());
        try (Connection admin = stack.adminConnection(); Statement st = admin.createStatement()) {
            st.execute("CREATE TABLE " + table + " (tenant_id uuid NOT NULL PRIMARY KEY)");
            st.execute("ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY");
            try {
                assertThatThrownBy(() -> stack.db().requireSafeRuntimeRole())
                        .isInstanceOf(UnsafeRuntimeRoleException.class)
                        .hasMessageContaining(table).hasMessageContaining("FORCE");
            } finally {
                st.execute("DROP TABLE " + table);
            }
        }
    }

    @Test
    void anInvalidTenantSettingFailsClosed() {
        assertThatThrownBy(() -> stack.db().inTenant(null, tx -> 1)).isInstanceOf(TenantNotBoundException.class);
        assertThat(TenantId.tryParse("not-a-uuid")).isEmpty();
    }
}
