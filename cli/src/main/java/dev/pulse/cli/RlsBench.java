package dev.pulse.cli;

import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What row-level security costs. A bench table in its own schema ({@code pulse_bench}) holds
 * {@code --rows} rows over {@code --tenants} tenants with the same policy shape as Pulse's
 * tables; each query runs (a) as pulse_app through {@link TenantDatabase#inTenant} and (b) as
 * the table's owner with a plain {@code WHERE tenant_id = ?}. The table is ENABLE (not FORCE)
 * so that its owner reads it without policies, as the comparison needs; it is dropped at the end.
 */
@Command(name = "rls", description = "Cost of row-level security: RLS-bound helper vs. owner with WHERE tenant_id = ?.",
        mixinStandardHelpOptions = true)
final class RlsBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--rows", defaultValue = "1000000", description = "rows in the bench table (default: ${DEFAULT-VALUE})")
    int rows;
    @Option(names = "--tenants", defaultValue = "5000", description = "tenants the rows are spread over (default: ${DEFAULT-VALUE})")
    int tenants;
    @Option(names = "--samples", defaultValue = "2000", description = "measured queries per variant (default: ${DEFAULT-VALUE})")
    int samples;
    @Option(names = "--keep", description = "keep the bench table afterwards")
    boolean keep;

    record Figure(String name, double[] micros) {
        double median() {
            return percentile(0.5);
        }

        double percentile(double p) {
            double[] sorted = micros.clone();
            Arrays.sort(sorted);
            return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
        }

        double mean() {
            return Arrays.stream(micros).average().orElse(0);
        }
    }

    @FunctionalInterface
    interface Measured {
        void run(UUID tenant) throws SQLException;
    }

    static final String[][] QUERIES = {
        {"latest 50", "SELECT id, created_at, amount FROM pulse_bench.events %s ORDER BY created_at DESC LIMIT 50"},
        {"count", "SELECT count(*) FROM pulse_bench.events %s"},
        {"sum", "SELECT sum(amount) FROM pulse_bench.events %s"},
    };

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Settings settings = RunningStack.settings();
        String adminUrl = settings.get(PulseKeys.ADMIN_DATABASE_URL);
        String runtimeUrl = settings.get(PulseKeys.DATABASE_URL);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < tenants; i++) {
            ids.add(UUID.randomUUID());
        }
        try (Connection admin = DriverManager.getConnection(adminUrl)) {
            long loadStart = System.nanoTime();
            load(admin, ids);
            out.printf(Locale.ROOT, "loaded %,d rows over %,d tenants in %.1f s%n", rows, tenants, (System.nanoTime() - loadStart) / 1e9);
            out.flush();
            try (TenantDatabase app = TenantDatabase.connect(runtimeUrl, 1, "bench-rls")) {
                Random random = new Random(42);
                List<Figure> figures = new ArrayList<>();
                Figure empty = measure("empty tenant-bound transaction", ids, random,
                        t -> app.inTenant(new TenantId(t), tx -> null));
                for (String[] q : QUERIES) {
                    String rlsSql = q[1].formatted("");
                    Figure rls = measure(q[0] + " (a) RLS helper", ids, random,
                            t -> app.inTenant(new TenantId(t), tx -> tx.query(rlsSql, rs -> rs.getObject(1))));
                    try (PreparedStatement owner = admin.prepareStatement(q[1].formatted("WHERE tenant_id = ?"))) {
                        Figure plain = measure(q[0] + " (b) owner + WHERE", ids, random, t -> {
                            owner.setObject(1, t);
                            try (ResultSet rs = owner.executeQuery()) {
                                while (rs.next()) {
                                    rs.getObject(1);
                                }
                            }
                        });
                        figures.add(rls);
                        figures.add(plain);
                    }
                }
                out.printf(Locale.ROOT, "%-40s %10s %10s %10s%n", "query (per tenant)", "median µs", "p99 µs", "mean µs");
                for (Figure f : figures) {
                    out.printf(Locale.ROOT, "%-40s %10.0f %10.0f %10.0f%n", f.name(), f.median(), f.percentile(0.99), f.mean());
                }
                out.printf(Locale.ROOT, "%-40s %10.0f %10.0f %10.0f%n", empty.name(), empty.median(), empty.percentile(0.99), empty.mean());
                out.println("ratios, median (a) / (b):");
                for (int i = 0; i < figures.size(); i += 2) {
                    out.printf(Locale.ROOT, "  %-12s %.2fx   (without the empty-transaction cost: %.2fx)%n", QUERIES[i / 2][0],
                            figures.get(i).median() / figures.get(i + 1).median(),
                            Math.max(0, figures.get(i).median() - empty.median()) / figures.get(i + 1).median());
                }
            }
        } finally {
            if (!keep) {
                try (Connection admin = DriverManager.getConnection(adminUrl); Statement st = admin.createStatement()) {
                    st.execute("DROP SCHEMA IF EXISTS pulse_bench CASCADE");
                }
            }
        }
        out.flush();
        return 0;
    }

    private Figure measure(String name, List<UUID> ids, Random random, Measured work) throws SQLException {
        for (int i = 0; i < Math.min(200, samples); i++) {
            work.run(ids.get(random.nextInt(ids.size()))); // warm-up: plans, caches, JIT
        }
        double[] micros = new double[samples];
        for (int i = 0; i < samples; i++) {
            UUID tenant = ids.get(random.nextInt(ids.size()));
            long start = System.nanoTime();
            work.run(tenant);
            micros[i] = (System.nanoTime() - start) / 1_000.0;
        }
        return new Figure(name, micros);
    }

    private void load(Connection admin, List<UUID> ids) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS pulse_bench CASCADE");
            st.execute("CREATE SCHEMA pulse_bench");
            st.execute("GRANT USAGE ON SCHEMA pulse_bench TO pulse_app");
            st.execute("CREATE TABLE pulse_bench.tenants (n int PRIMARY KEY, tenant_id uuid NOT NULL)");
        }
        try (PreparedStatement ps = admin.prepareStatement("INSERT INTO pulse_bench.tenants VALUES (?, ?)")) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setInt(1, i);
                ps.setObject(2, ids.get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (Statement st = admin.createStatement()) {
            st.execute("""
                    CREATE TABLE pulse_bench.events (
                        tenant_id uuid NOT NULL, id bigint NOT NULL, created_at timestamptz NOT NULL, amount numeric(12, 2) NOT NULL,
                        PRIMARY KEY (tenant_id, id))""");
            st.execute("""
                    INSERT INTO pulse_bench.events
                    SELECT t.tenant_id, g, now() - make_interval(secs => g), (g %% 10000) / 100.0
                      FROM generate_series(1, %d) g JOIN pulse_bench.tenants t ON t.n = g %% %d""".formatted(rows, ids.size()));
            st.execute("CREATE INDEX events_latest ON pulse_bench.events (tenant_id, created_at DESC)");
            st.execute("ALTER TABLE pulse_bench.events ENABLE ROW LEVEL SECURITY");
            st.execute("""
                    CREATE POLICY tenant_isolation ON pulse_bench.events FOR ALL TO pulse_app
                    USING (tenant_id = (SELECT pulse.current_tenant_id())) WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()))""");
            st.execute("GRANT SELECT ON pulse_bench.events TO pulse_app");
            st.execute("ANALYZE pulse_bench.events");
        }
    }
}
