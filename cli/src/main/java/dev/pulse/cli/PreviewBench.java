package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.query.preview.PreviewResult;
import dev.pulse.query.preview.PreviewService;
import dev.pulse.query.sandbox.DuckDbSandbox;
import dev.pulse.query.sandbox.SandboxLimits;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
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
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.Table;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Naive vs newest-first preview over a many-file table, against the running stack. A fresh
 * tenant and dataset are created through the control plane; the files (one day each) are
 * written by a plain DuckDB connection, which is much faster than ingesting millions of events,
 * and committed to the dataset's Iceberg table with their row counts and event_time bounds, as
 * the worker's would be. Both previews then run as lake-query runs them (RLS lookup, catalog,
 * planning, a fresh locked-down DuckDB, the query).
 */
@Command(name = "preview", description = "Time a newest-first preview against reading every file, on a generated many-file table.",
        mixinStandardHelpOptions = true)
final class PreviewBench extends Verb {
    @Option(names = "--files", defaultValue = "100", description = "data files, one day each (default: ${DEFAULT-VALUE})")
    int files;
    @Option(names = "--rows-per-file", defaultValue = "100000", description = "rows per file (default: ${DEFAULT-VALUE})")
    int rowsPerFile;
    @Option(names = "--limit", defaultValue = "100", description = "preview limit (default: ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--iterations", defaultValue = "7", description = "timed previews per variant, after a warm-up (default: ${DEFAULT-VALUE})")
    int iterations;

    @Override
    void run() {
        Settings settings = RunningStack.settings();
        Infrastructure infrastructure = Infrastructure.from(settings);
        String slug = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        OperatorClient operator = OperatorClient.fromSettings(settings);
        TenantId tenant = TenantId.parse(operator.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", slug)).path("id").asText());
        ObjectNode schema = OperatorClient.JSON.createObjectNode().put("name", "clicks");
        schema.set("definition", readJson("""
                {"type": "object", "properties": {
                   "page": {"type": "string"}, "clicks": {"type": "integer"}, "amount": {"type": "number"},
                   "user": {"type": "object", "properties": {"id": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}}}}"""));
        operator.post("/admin/v1/tenants/" + slug + "/schemas", schema);
        JsonNode dataset = operator.post("/admin/v1/tenants/" + slug + "/datasets",
                OperatorClient.JSON.createObjectNode().put("slug", "clicks").put("schema", "clicks"));
        try (TenantDatabase db = infrastructure.openDatabase("bench-preview");
                JdbcCatalog catalog = infrastructure.openCatalog()) {
            Table table = catalog.loadTable(org.apache.iceberg.catalog.TableIdentifier.parse(dataset.path("table").asText()));
            long started = System.nanoTime();
            writeDays(table);
            out().printf(Locale.ROOT, "tenant %s: wrote %d files x %,d rows in %.1f s%n", slug, files, rowsPerFile, (System.nanoTime() - started) / 1e9);
            Path temp = Files.createTempDirectory("pulse-bench-preview");
            try (DuckDbSandbox sandbox = new DuckDbSandbox(new SandboxLimits(2, "1GB", Duration.ofSeconds(60), 100_000, temp, 1))) {
                PreviewService previews = new PreviewService(db, catalog, infrastructure.warehouse().location(), sandbox);
                double naive = medianMillis(() -> previews.previewReadingEveryFile(tenant, "clicks", limit));
                double pruned = medianMillis(() -> previews.preview(tenant, "clicks", limit));
                PreviewResult sample = previews.preview(tenant, "clicks", limit);
                out().printf(Locale.ROOT, "limit %d over %,d rows: every file %.1f ms, newest-first %.1f ms (%d of %d files); median of %d after a warm-up%n",
                        limit, (long) files * rowsPerFile, naive, pruned, sample.filesRead(), sample.filesInSnapshot(), iterations);
            }
        } catch (SQLException | java.io.IOException e) {
            throw new RefusedException(0, "preview bench failed: " + e.getMessage());
        }
        out().flush();
    }

    private double medianMillis(Supplier<PreviewResult> preview) {
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

    private void writeDays(Table table) throws SQLException {
        LocalDate first = LocalDate.parse("2026-01-01");
        AppendFiles append = table.newAppend();
        Types.NestedField eventTime = table.schema().findField("event_time");
        long stepMicros = 86_400_000_000L / rowsPerFile;
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            for (int f = 0; f < files; f++) {
                LocalDate day = first.plusDays(f);
                String partition = "event_time_day=" + day;
                Path path = Path.of(table.location(), "data", partition, "bench-" + f + ".parquet");
                path.getParent().toFile().mkdirs();
                st.execute("""
                        COPY (SELECT 'f%d-' || lpad(range::VARCHAR, 8, '0') AS event_id,
                                     TIMESTAMPTZ '%s 00:00:00+00' + to_microseconds(range * %d) AS event_time,
                                     TIMESTAMPTZ '%s 00:00:00+00' + to_microseconds(range * %d + 1000000) AS received_at,
                                     '/page/' || (range %% 50) AS page, range::BIGINT AS clicks, range / 7.0 AS amount,
                                     {'id': 'u' || (range %% 1000), 'tags': ['a', 'b']} AS "user"
                                FROM range(%d))
                          TO '%s' (FORMAT parquet)""".formatted(f, day, stepMicros, day, stepMicros, rowsPerFile, path));
                try (ResultSet rs = st.executeQuery("SELECT count(*), epoch_us(min(event_time)), epoch_us(max(event_time)) FROM read_parquet('"
                        + path + "')")) {
                    rs.next();
                    Map<Integer, ByteBuffer> lower = Map.of(eventTime.fieldId(), Conversions.toByteBuffer(eventTime.type(), rs.getLong(2)));
                    Map<Integer, ByteBuffer> upper = Map.of(eventTime.fieldId(), Conversions.toByteBuffer(eventTime.type(), rs.getLong(3)));
                    append.appendFile(DataFiles.builder(table.spec())
                            .withInputFile(table.io().newInputFile(path.toString()))
                            .withFormat(FileFormat.PARQUET)
                            .withPartitionPath(partition)
                            .withMetrics(new Metrics(rs.getLong(1), null, null, null, null, lower, upper))
                            .build());
                }
            }
        }
        append.commit();
    }

    private static JsonNode readJson(String text) {
        try {
            return OperatorClient.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
