package dev.pulse.schemas.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.control.audit.AuditLog;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the runtime role can reach beyond its own tenant's rows (issue 7), attacked with SQL as
 * pulse_app bound to tenant A: the operator functions, the audit numbering, and what PostgreSQL
 * itself shares between sessions (NOTIFY, large objects, statistics, sizes, locks, the
 * transaction counter, temporary objects). And the operator role: it reads the directory and
 * the audit log and nothing else.
 */
class RuntimeRoleReachIT {
    static final String INSUFFICIENT_PRIVILEGE = "42501";

    static TestStack stack;
    static TenantRecord a;
    static TenantRecord b;

    @BeforeAll
    static void setUp() {
        stack = TestStack.shared();
        a = stack.newTenant();
        b = stack.newTenant();
    }

    static Connection runtime() throws SQLException {
        return DriverManager.getConnection(stack.environment().get("PULSE_DATABASE_URL"));
    }

    static Connection operator() throws SQLException {
        return DriverManager.getConnection(stack.environment().get("PULSE_OPERATOR_DATABASE_URL"));
    }

    private enum Binding { TRANSACTION, SESSION }

    /** Binds tenant A with bound parameters, for this transaction only or (as an attacker might) the whole session. */
    private static void bindToA(Connection c, Binding binding) throws SQLException {
        try (PreparedStatement bind = c.prepareStatement("SELECT set_config('app.current_tenant_id', ?, ?)")) {
            bind.setString(1, a.id().toString());
            bind.setBoolean(2, binding == Binding.TRANSACTION);
            bind.execute();
        }
    }

    /** Runs {@code sql} as pulse_app in a transaction bound to A; returns the failure, or null when it succeeded. */
    static SQLException asTenantA(String sql, Object... params) throws SQLException {
        try (Connection c = runtime()) {
            c.setAutoCommit(false);
            bindToA(c, Binding.TRANSACTION);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                ps.execute();
                return null;
            } catch (SQLException e) {
                return e;
            } finally {
                c.rollback();
            }
        }
    }

    static void refusedToTenantA(String sql, Object... params) throws SQLException {
        SQLException failure = asTenantA(sql, params);
        assertThat((Throwable) failure).as(sql).isNotNull();
        assertThat(failure.getSQLState()).as(sql + ": " + failure.getMessage()).isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    @Test
    void theOperatorFunctionsAreRefusedToTheRuntimeRole() throws Exception {
        refusedToTenantA("SELECT tenant_id, slug FROM pulse.operator_tenant_directory()");
        refusedToTenantA("SELECT * FROM pulse.operator_audit_log(?, 1000)", b.id().value());
        refusedToTenantA("SELECT * FROM pulse.operator_audit_log(NULL, 1000)");
        refusedToTenantA("SELECT * FROM pulse.operator_audit_export(?, 0, 1000)", b.id().value());
        try (Connection c = runtime(); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELECT * FROM pulse.operator_tenant_directory()"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
        }
    }

    @Test
    void theRuntimeRoleMayExecuteExactlyTheLookupsAndTheAuditAppend() throws Exception {
        List<String> executable = new ArrayList<>();
        try (Connection c = runtime(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(IsolationAudit.EXECUTABLE_DEFINERS_SQL)) {
            while (rs.next()) {
                executable.add(rs.getString(1));
            }
        }
        assertThat(executable).containsExactlyInAnyOrderElementsOf(IsolationAudit.RUNTIME_DEFINER_FUNCTIONS);
    }

    @Test
    void theStartUpGuardRefusesARuntimeRoleThatMayCallAnOperatorFunction() throws Exception {
        stack.db().requireSafeRuntimeRole();
        try (Connection owner = stack.adminConnection(); Statement st = owner.createStatement()) {
            st.execute("GRANT EXECUTE ON FUNCTION pulse.operator_audit_log(uuid, integer) TO pulse_app");
            try {
                assertThatThrownBy(() -> stack.db().requireSafeRuntimeRole()).isInstanceOf(UnsafeRuntimeRoleException.class)
                        .hasMessageContaining("pulse.operator_audit_log(uuid, integer), an operator function");
            } finally {
                st.execute("REVOKE EXECUTE ON FUNCTION pulse.operator_audit_log(uuid, integer) FROM pulse_app");
            }
        }
        stack.db().requireSafeRuntimeRole();
    }

    @Test
    void theOperatorRoleReadsTheDirectoryAndTheAuditLogAndNothingElse() throws Exception {
        OperatorDatabase operatorDb = stack.operatorDb();
        operatorDb.requireSafeOperatorRole();
        assertThat(operatorDb.tenantDirectory()).extracting(OperatorDatabase.DirectoryEntry::slug).contains(a.slug(), b.slug());
        List<AuditLog.AuditEntry> bLog = operatorDb.auditLog(b.id(), 1000);
        assertThat(bLog.getLast().action()).isEqualTo("tenant.create");
        assertThat(bLog.getLast().seq()).isEqualTo(1);
        try (Connection c = operator(); Statement st = c.createStatement()) {
            // Bound for the whole session, as an attacker with this role's SQL would bind it.
            bindToA(c, Binding.SESSION);
            for (String sql : List.of("SELECT * FROM pulse.tenants", "SELECT * FROM pulse.api_keys", "SELECT * FROM pulse.datasets",
                    "SELECT * FROM pulse_directory.tenant_slugs", "SELECT * FROM pulse_directory.audit_log",
                    "SELECT pulse.tenant_for_slug('" + a.slug() + "')", "SELECT pulse.record_audit('x', 'y', NULL, NULL)",
                    "UPDATE pulse.tenants SET name = 'x'")) {
                assertThatThrownBy(() -> st.execute(sql)).as(sql).isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            }
        }
    }

    @Test
    void theOperatorGuardRefusesAnOperatorRoleThatIsTheRuntimeRoleToo() throws Exception {
        try (Connection owner = stack.adminConnection(); Statement st = owner.createStatement()) {
            st.execute("GRANT pulse_app TO pulse_operator");
            try {
                assertThatThrownBy(() -> stack.operatorDb().requireSafeOperatorRole()).isInstanceOf(UnsafeRuntimeRoleException.class)
                        .hasMessageContaining("member of) the runtime role");
            } finally {
                st.execute("REVOKE pulse_app FROM pulse_operator");
            }
        }
        stack.operatorDb().requireSafeOperatorRole();
    }

    @Test
    void aTenantsAuditNumbersDoNotMoveWhenAnotherTenantActs() throws Exception {
        TenantRecord fresh = stack.newTenant();
        AuditLog audit = new AuditLog(stack.db());
        // A fresh tenant's log starts at 1 however many entries other tenants have: creation was 1.
        long first = audit.record("operator:probe", "tenant.probe", fresh.id(), null);
        assertThat(first).isEqualTo(2);
        for (int i = 0; i < 5; i++) {
            stack.keys().create(b.id(), "noise-" + i, Set.of(Scope.INGEST), null);
            stack.tenants().suspend(b.slug());
            stack.tenants().resume(b.slug());
        }
        long second = audit.record("operator:probe", "tenant.probe", fresh.id(), null);
        assertThat(second).as("B's 15 changes are invisible in A's numbering").isEqualTo(first + 1);

        // The same through SQL, as an attacker bound to A would see it.
        long[] seen = new long[2];
        for (int round = 0; round < 2; round++) {
            try (Connection c = runtime()) {
                c.setAutoCommit(false);
                bindToA(c, Binding.TRANSACTION);
                try (PreparedStatement ps = c.prepareStatement("SELECT pulse.record_audit('key:x', 'probe', ?, '{}'::jsonb)")) {
                    ps.setObject(1, a.id().value());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        seen[round] = rs.getLong(1);
                    }
                }
                c.commit();
            }
            stack.keys().create(b.id(), "noise-sql-" + round, Set.of(Scope.INGEST), null);
        }
        assertThat(seen[1]).isEqualTo(seen[0] + 1);
        // And the numbering has no gaps: a rolled-back append gives its number back.
        assertThat((Throwable) asTenantA("SELECT pulse.record_audit('key:x', 'probe', ?, '{}'::jsonb)", a.id().value())).isNull();
        long after = audit.record("operator:probe", "tenant.probe", a.id(), null);
        assertThat(after).isEqualTo(seen[1] + 1);
    }

    @Test
    void notifyLargeObjectsStatisticsSizesLocksAndTheTransactionCounterAreRefused() throws Exception {
        refusedToTenantA("SELECT pg_notify('pulse', 'hello')");
        refusedToTenantA("SELECT lo_create(0)");
        refusedToTenantA("SELECT lo_creat(-1)");
        refusedToTenantA("SELECT lo_from_bytea(0, '\\x00'::bytea)");
        refusedToTenantA("SELECT lo_get(1)");
        refusedToTenantA("SELECT lo_open(1, 262144)");
        refusedToTenantA("SELECT n_live_tup FROM pg_stat_user_tables");
        refusedToTenantA("SELECT n_tup_ins FROM pg_stat_all_tables");
        refusedToTenantA("SELECT pg_stat_get_live_tuples('pulse.tenants'::regclass)");
        refusedToTenantA("SELECT tup_inserted FROM pg_stat_database");
        refusedToTenantA("SELECT query FROM pg_stat_activity");
        refusedToTenantA("SELECT pg_relation_size('pulse.tenants')");
        refusedToTenantA("SELECT pg_total_relation_size('pulse.api_keys')");
        refusedToTenantA("SELECT pg_database_size(current_database())");
        refusedToTenantA("SELECT pg_current_wal_lsn()");
        refusedToTenantA("SELECT * FROM pg_locks");
        refusedToTenantA("SELECT pg_current_xact_id()");
        refusedToTenantA("SELECT txid_current()");
        refusedToTenantA("SELECT pg_current_snapshot()");
        refusedToTenantA("CREATE TEMP TABLE probe (x int)");
        refusedToTenantA("CREATE FUNCTION pg_temp.leak(t uuid) RETURNS boolean LANGUAGE sql AS 'SELECT true'");
        try (Connection c = runtime(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('lo_compat_privileges')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("off");
        }
    }

    @Test
    void theRuntimeRoleCanUseNoSequenceAndNoTableItReadsHasOne() throws Exception {
        // A shared counter is a view of every tenant's activity: no id a tenant sees may come from one.
        try (Connection c = runtime(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT string_agg(n.nspname || '.' || s.relname, ', ') FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
                 WHERE s.relkind = 'S' AND has_sequence_privilege(current_user, s.oid, 'USAGE, SELECT, UPDATE')""")) {
            rs.next();
            assertThat(rs.getString(1)).as("sequences the runtime role may use").isNull();
        }
        try (Connection owner = stack.adminConnection(); Statement st = owner.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT string_agg(d.refobjid::regclass::text, ', ') FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
                 WHERE s.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                   AND has_table_privilege('pulse_app', d.refobjid, 'SELECT, INSERT')""")) {
            rs.next();
            assertThat(rs.getString(1)).as("tables the runtime role reaches whose ids come from a sequence").isNull();
        }
    }

    /** The probes of issue 7 that held, kept as tests so that they go on holding. */
    @Test
    void theProbesThatHeldStillHold() throws Exception {
        try (Connection c = runtime()) {
            c.setAutoCommit(false);
            bindToA(c, Binding.TRANSACTION);
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*), min(slug) FROM pulse.tenants TABLESAMPLE SYSTEM (100)")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(1);
                    assertThat(rs.getString(2)).isEqualTo(a.slug());
                }
                java.io.StringWriter copied = new java.io.StringWriter();
                c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut("COPY pulse.tenants (slug) TO STDOUT", copied);
                assertThat(copied.toString().strip()).isEqualTo(a.slug());
                for (String probe : List.of("%", "_", "", "x".repeat(10_000), ".*", "^" + b.slug().substring(0, 3) + ".*$", b.slug().toUpperCase(java.util.Locale.ROOT))) {
                    for (String lookup : List.of("pulse.tenant_for_slug", "pulse.tenant_for_api_key")) {
                        try (PreparedStatement ps = c.prepareStatement("SELECT " + lookup + "(?)")) {
                            ps.setString(1, probe);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                assertThat(rs.getObject(1)).as(lookup + "('" + probe.substring(0, Math.min(probe.length(), 20)) + "')").isNull();
                            }
                        }
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT pulse.tenant_for_slug(NULL), pulse.tenant_for_api_key(NULL)")) {
                    rs.next();
                    assertThat(rs.getObject(1)).isNull();
                    assertThat(rs.getObject(2)).isNull();
                }
            }
            c.rollback();
        }
        for (String sql : List.of("SELECT * FROM pulse_directory.tenant_slugs", "SELECT * FROM pulse_directory.api_key_ids",
                "SELECT * FROM pulse_directory.audit_log", "SELECT * FROM pulse_directory.audit_counters")) {
            refusedToTenantA(sql);
        }
    }

    /**
     * The channels the README lists as open, shown to be open and to yield table-wide totals
     * only; when PostgreSQL or a change here closes one, this fails and the README must change.
     */
    @Test
    void theChannelsLeftOpenGiveOnlyTableWideTotals() throws Exception {
        try (Connection owner = stack.adminConnection(); Statement st = owner.createStatement()) {
            st.execute("ANALYZE pulse.tenants");
        }
        try (Connection c = runtime()) {
            c.setAutoCommit(false);
            bindToA(c, Binding.TRANSACTION);
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT reltuples FROM pg_class WHERE oid = 'pulse.tenants'::regclass")) {
                    rs.next();
                    assertThat(rs.getDouble(1)).as("pg_class.reltuples: an estimate of all tenants together").isGreaterThanOrEqualTo(2);
                }
                st.execute("SET LOCAL enable_indexscan = off");
                st.execute("SET LOCAL enable_bitmapscan = off");
                StringBuilder plan = new StringBuilder();
                try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT slug FROM pulse.tenants")) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
                assertThat(plan.toString()).as("EXPLAIN ANALYZE counts the rows the policy removed").containsPattern("Rows Removed by Filter: [1-9]");
                st.execute("NOTIFY pulse_probe, 'the NOTIFY statement needs no privilege'");
            }
            c.rollback();
        }
    }

    @Test
    void pgStatsShowsNoTenantTableToTheRuntimeRole() throws Exception {
        try (Connection owner = stack.adminConnection(); Statement st = owner.createStatement()) {
            st.execute("ANALYZE pulse.tenants");
        }
        try (Connection c = runtime(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stats WHERE schemaname LIKE 'pulse%'")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
