package dev.pulse.query.bench;

import dev.pulse.query.LakeFixture;
import dev.pulse.query.LakeFixture.TenantDataset;
import dev.pulse.query.preview.PreviewResult;
import dev.pulse.query.preview.PreviewService;
import dev.pulse.query.sandbox.DuckDbSandbox;
import dev.pulse.query.sandbox.SandboxLimits;
import dev.pulse.schemas.testing.TestStack;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;

/**
 * Naive vs newest-first preview over a many-file table. Not a test: it prints figures.
 * {@code mvn -o -pl lake-query test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.pulse.query.bench.PreviewBench -Dexec.args="100 100000 100"}
 * (files, rows per file, limit). Files are written by a plain DuckDB connection (fast), one day
 * per file, and committed to Iceberg with their row counts and event_time bounds, as the worker's would be.
 */
public final class PreviewBench {
    public record BenchResult(int files, long rows, int limit, double naiveMillis, double prunedMillis, int prunedFilesRead) {
    }

    private PreviewBench() {
    }

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rowsPerFile = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int limit = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int status = 1;
        try {
            System.out.println(run(TestStack.shared(), files, rowsPerFile, limit, 7, System.out));
            status = 0;
        } finally {
            // The shared stack's broker threads are not daemons: leave explicitly, also after a failure.
            System.exit(status);
        }
    }

    public static BenchResult run(TestStack stack, int files, int rowsPerFile, int limit, int iterations, PrintStream out) throws Exception {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "bench");
        long started = System.nanoTime();
        writeDays(ds.table(), files, rowsPerFile);
        out.printf("wrote %d files x %d rows in %d ms%n", files, rowsPerFile, (System.nanoTime() - started) / 1_000_000);
        Path temp = Files.createTempDirectory("pulse-bench");
        try (DuckDbSandbox sandbox = new DuckDbSandbox(new SandboxLimits(2, "1GB", Duration.ofSeconds(60), 100_000, temp, 1))) {
            PreviewService previews = new PreviewService(stack.db(), stack.catalog(), stack.environment().get("PULSE_WAREHOUSE"), sandbox);
            double naive = medianMillis(() -> previews.previewReadingEveryFile(ds.tenant().id(), "bench", limit), iterations);
            double pruned = medianMillis(() -> previews.preview(ds.tenant().id(), "bench", limit), iterations);
            PreviewResult sample = previews.preview(ds.tenant().id(), "bench", limit);
            out.printf("naive: %.1f ms, newest-first: %.1f ms (%d of %d files), median of %d after one warm-up%n",
                    naive, pruned, sample.filesRead(), sample.filesInSnapshot(), iterations);
            return new BenchResult(files, (long) files * rowsPerFile, limit, naive, pruned, sample.filesRead());
        }
    }

    private static double medianMillis(Supplier<PreviewResult> preview, int iterations) {
        preview.get();
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            preview.get();
            times.add((System.nanoTime() - t) / 1e6);
        }
        times.sort(Double::compare);
        return times.get(times.size() / 2);
    }

    /**
     * Row count and event_time bounds, read back with DuckDB: Iceberg's own footer reader would
     * need hadoop-mapreduce-client-core, which lake-query does not otherwise carry.
     */
    private static Metrics eventTimeMetrics(Statement st, Table table, Path path) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*), epoch_us(min(event_time)), epoch_us(max(event_time)) FROM read_parquet('" + path + "')")) {
            rs.next();
            Types.NestedField eventTime = table.schema().findField("event_time");
            Map<Integer, ByteBuffer> lower = Map.of(eventTime.fieldId(), Conversions.toByteBuffer(eventTime.type(), rs.getLong(2)));
            Map<Integer, ByteBuffer> upper = Map.of(eventTime.fieldId(), Conversions.toByteBuffer(eventTime.type(), rs.getLong(3)));
            return new Metrics(rs.getLong(1), null, null, null, null, lower, upper);
        }
    }

    private static void writeDays(Table table, int files, int rowsPerFile) throws SQLException {
        LocalDate first = LocalDate.parse("2026-01-01");
        AppendFiles append = table.newAppend();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            for (int f = 0; f < files; f++) {
                LocalDate day = first.plusDays(f);
                String partition = "event_time_day=" + day;
                Path path = Path.of(table.location(), "data", partition, "bench-" + f + ".parquet");
                path.getParent().toFile().mkdirs();
                long stepMicros = 86_400_000_000L / rowsPerFile;
                st.execute("""
                        COPY (SELECT 'f%d-' || lpad(range::VARCHAR, 8, '0') AS event_id,
                                     TIMESTAMPTZ '%s 00:00:00+00' + to_microseconds(range * %d) AS event_time,
                                     TIMESTAMPTZ '%s 00:00:00+00' + to_microseconds(range * %d + 1000000) AS received_at,
                                     '/page/' || (range %% 50) AS page,
                                     range::BIGINT AS clicks,
                                     range / 7.0 AS amount,
                                     {'id': 'u' || (range %% 1000), 'tags': ['a', 'b']} AS "user"
                                FROM range(%d))
                          TO '%s' (FORMAT parquet)""".formatted(f, day, stepMicros, day, stepMicros, rowsPerFile, path));
                InputFile input = table.io().newInputFile(path.toString());
                append.appendFile(DataFiles.builder(table.spec())
                        .withInputFile(input)
                        .withFormat(FileFormat.PARQUET)
                        .withPartitionPath(partition)
                        .withMetrics(eventTimeMetrics(st, table, path))
                        .build());
            }
        }
        append.commit();
        table.refresh();
    }
}
