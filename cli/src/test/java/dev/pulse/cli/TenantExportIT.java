package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.pulse.control.ControlException;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.lifecycle.export.ArchiveException;
import dev.pulse.control.lifecycle.export.ExportProgress;
import dev.pulse.control.lifecycle.export.ImportCrashPoint;
import dev.pulse.control.lifecycle.export.TenantExport;
import dev.pulse.control.lifecycle.export.TenantImport;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.deadletters.DeadLetterFilter;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pulse tenant export} and {@code pulse tenant import} on the real pipeline, with two
 * tenants: A (two schema versions, rows of both, a dead letter) and B (its own rows, which must
 * never reach A's archive).
 */
class TenantExportIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String V1 = "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\"}},\"required\":[\"url\"]}";
    static final String V2 = "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\"},\"referrer\":{\"type\":\"string\"}},\"required\":[\"url\"]}";

    static PipelineFixture pipeline;
    static TestStack stack;
    static TestStack.TenantWithDataset a;
    static TestStack.TenantWithDataset b;
    @TempDir
    static Path scratch;

    @BeforeAll
    static void twoTenantsWithRows() throws Exception {
        pipeline = PipelineFixture.shared();
        stack = pipeline.stack;
        a = stack.newTenantWithDataset("visits", V1, IcebergSchemas.Partitioning.DAY, Scope.INGEST);
        b = stack.newTenantWithDataset("visits", V1, IcebergSchemas.Partitioning.DAY, Scope.INGEST);
        assertThat(post(a.key(), events("a-v1", 40, false))).isEqualTo(202);
        assertThat(post(b.key(), events("b-secret", 40, false))).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(a.tenant().id()) == 40 && rows(b.tenant().id()) == 40);
        // A's schema gains a column; rows after it have it, rows before do not (the archive holds files of both shapes)
        stack.schemas().register(a.tenant().id(), "visits", JSON.readTree(V2));
        stack.datasets().upgrade(a.tenant().id(), "visits", 2);
        assertThat(post(a.key(), events("a-v2", 40, true))).isEqualTo(202);
        assertThat(post(a.key(), "[{\"dataset\":\"visits\",\"data\":{\"url\":17}}]")).isEqualTo(202); // a dead letter
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(a.tenant().id()) == 80
                && stack.db().inTenant(a.tenant().id(), tx -> DeadLetterStore.count(tx, DeadLetterFilter.ALL)) == 1);
    }

    @Test
    void theExportHoldsEveryRowOfItsNamedSnapshotWithMatchingChecksumsAndNothingOfAnotherTenant() throws Exception {
        Path dir = Files.createTempDirectory(scratch, "export-it");
        Path tar = dir.resolve("a.tar");
        PulseProcess.Result ran = PulseProcess.run(pipeline.envFile, "tenant", "export", a.tenant().slug(), "--to", tar.toString(), "--json");
        assertThat(ran.exitCode()).as(ran.stderr()).isZero();
        JsonNode result = JSON.readTree(ran.stdout());
        // a plain tar any tool unpacks
        Path unpacked = Files.createDirectory(dir.resolve("unpacked"));
        Process untar = new ProcessBuilder("tar", "-xf", tar.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertThat(untar.waitFor()).isZero();

        JsonNode manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile());
        assertThat(manifest.path("files").size() + 1).isEqualTo(result.path("files").asInt());
        for (JsonNode f : manifest.path("files")) {
            Path file = unpacked.resolve(f.path("path").asText());
            assertThat(Files.size(file)).as(f.path("path").asText()).isEqualTo(f.path("bytes").asLong());
            assertThat(sha256(file)).as(f.path("path").asText()).isEqualTo(f.path("sha256").asText());
        }
        try (Stream<Path> all = Files.walk(unpacked)) {
            assertThat(all.filter(Files::isRegularFile).count()).isEqualTo(manifest.path("files").size() + 1);
        }

        long snapshot = manifest.path("datasets").get(0).path("snapshot_id").asLong();
        assertThat(snapshot).isEqualTo(result.path("datasets").get(0).path("snapshot_id").asLong());
        List<String> archived = archivedRows(unpacked);
        // the other tests may have added rows since the set-up: the archive holds those of its snapshot, at least the first 80
        assertThat(archived).hasSizeGreaterThanOrEqualTo(80).hasSize(manifest.path("datasets").get(0).path("rows").asInt())
                .containsExactlyInAnyOrderElementsOf(tableRows(a.tenant().id(), snapshot));
        assertThat(archived).noneMatch(r -> r.contains("b-secret"));

        // the rest of the archive: every schema version, no secret, the tenant's own audit and dead letters, nothing of B
        JsonNode schemas = JSON.readTree(unpacked.resolve("schemas.json").toFile());
        assertThat(schemas).hasSize(2);
        assertThat(JSON.readTree(unpacked.resolve("datasets/visits/table-schemas.json").toFile())).hasSize(2);
        String keys = Files.readString(unpacked.resolve("keys.json"));
        assertThat(keys).contains(a.key().split("_")[1]).doesNotContain(a.key().substring(a.key().lastIndexOf('_') + 1)).doesNotContain("hash");
        assertThat(Files.readString(unpacked.resolve("audit.jsonl"))).contains("schema.register").contains("dataset.upgrade");
        List<String> deadLetters = Files.readAllLines(unpacked.resolve("dead-letters.jsonl"));
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.getFirst()).contains("schema-violation");
        try (Stream<Path> all = Files.walk(unpacked)) {
            for (Path file : all.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".parquet")).toList()) {
                assertThat(Files.readString(file)).as(file.toString()).doesNotContain(b.tenant().id().toString()).doesNotContain(b.tenant().slug())
                        .doesNotContain("b-secret");
            }
        }
        // imported by the CLI as a new tenant: the same rows, under a new id
        String copy = "cp-" + UUID.randomUUID().toString().substring(0, 8);
        PulseProcess.Result imported = PulseProcess.run(pipeline.envFile, "tenant", "import", tar.toString(), "--as", copy, "--json");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        TenantId copyId = TenantId.parse(JSON.readTree(imported.stdout()).path("tenant").asText());
        assertThat(copyId).isNotEqualTo(a.tenant().id());
        assertThat(tableRows(copyId, table(copyId).currentSnapshot().snapshotId())).containsExactlyInAnyOrderElementsOf(archived);
        // audited, as the operator
        assertThat(stack.operatorDb().auditLog(a.tenant().id(), 5)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("tenant.export");
            assertThat(e.actor()).startsWith("operator");
            assertThat(e.detail().path("manifest_sha256").asText()).isEqualTo(result.path("manifest_sha256").asText());
        });
    }

    @Test
    void anExportWhileEventsKeepLandingHoldsExactlyTheSnapshotItNames() throws Exception {
        AtomicBoolean landing = new AtomicBoolean(true);
        AtomicInteger batches = new AtomicInteger();
        Thread producer = Thread.ofVirtual().start(() -> {
            while (landing.get()) {
                try {
                    post(a.key(), events("a-live-" + batches.incrementAndGet(), 5, true));
                } catch (Exception e) {
                    return;
                }
            }
        });
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(a.tenant().id()) > 80);
            Path dir = Files.createTempDirectory(scratch, "export-live").resolve("archive");
            TenantExport.ExportResult result = new TenantExport(stack.db(), stack.operatorDb(), stack.catalog())
                    .export(new TenantExport.ExportRequest(a.tenant().slug(), List.of("visits"), Actor.SYSTEM), dir, ExportProgress.NONE);
            long snapshot = result.datasets().getFirst().snapshotId();
            await().atMost(Duration.ofSeconds(30)).until(() -> table(a.tenant().id()).currentSnapshot().snapshotId() != snapshot);
            landing.set(false);
            producer.join();
            List<String> archived = archivedRows(dir);
            assertThat(archived).containsExactlyInAnyOrderElementsOf(tableRows(a.tenant().id(), snapshot));
            assertThat(archived.size()).isEqualTo(result.datasets().getFirst().rows()).isLessThan((int) rows(a.tenant().id()));
        } finally {
            landing.set(false);
            producer.join();
        }
    }

    @Test
    void anImportKilledAtEachStepAndRunAgainRecreatesTheTenantWithEveryRowOnce() throws Exception {
        Path archive = Files.createTempDirectory(scratch, "export-import").resolve("a.tar");
        TenantExport.ExportResult exported = new TenantExport(stack.db(), stack.operatorDb(), stack.catalog())
                .export(new TenantExport.ExportRequest(a.tenant().slug(), List.of(), Actor.SYSTEM), archive, ExportProgress.NONE);
        String slug = "imp-" + UUID.randomUUID().toString().substring(0, 8);
        TenantImport.ImportRequest request = new TenantImport.ImportRequest(archive, slug, new Actor("operator:it"));
        // dies before the table commit, then right after it: the rows must still land exactly once
        for (ImportCrashPoint point : List.of(ImportCrashPoint.AFTER_DEFINITIONS, ImportCrashPoint.BEFORE_TABLE_COMMIT,
                ImportCrashPoint.AFTER_TABLE_COMMIT)) {
            assertThatThrownBy(() -> importer(point).importArchive(request, ExportProgress.NONE)).isInstanceOf(Killed.class);
        }
        TenantImport.ImportResult done = importer(null).importArchive(request, ExportProgress.NONE);
        assertThat(done.resumed()).isTrue();
        assertThat(done.datasets().getFirst().alreadyImported()).isTrue();

        TenantId imported = done.tenant();
        assertThat(imported).isNotEqualTo(a.tenant().id());
        List<String> rows = tableRows(imported, table(imported).currentSnapshot().snapshotId());
        long exportedRows = exported.datasets().getFirst().rows();
        assertThat(rows).hasSize((int) exportedRows).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(tableRows(a.tenant().id(), exported.datasets().getFirst().snapshotId()));
        assertThat(stack.schemas().versions(imported, "visits")).hasSize(2);
        assertThat(stack.datasets().find(imported, "visits").orElseThrow().schemaVersion()).isEqualTo(2);
        assertThat(stack.operatorDb().auditLog(imported, 20)).anySatisfy(e -> assertThat(e.action()).isEqualTo("tenant.import"));

        // the worker's exactly-once bookkeeping is not confused by the imported snapshot: a new event lands once, on top
        String key = stack.keys().create(imported, "k", Set.of(Scope.INGEST), null).token();
        assertThat(post(key, events("after-import", 3, true))).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(imported) == exportedRows + 3);
        assertThat(tableRows(imported, table(imported).currentSnapshot().snapshotId())).doesNotHaveDuplicates();
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.datasets().find(imported, "visits").orElseThrow().rowCount() == exportedRows + 3);
        // and a third run changes nothing
        TenantImport.ImportResult again = importer(null).importArchive(request, ExportProgress.NONE);
        assertThat(again.datasets().getFirst().alreadyImported()).isTrue();
        assertThat(rows(imported)).isEqualTo(exportedRows + 3);
    }

    @Test
    void aTamperedArchiveIsRefusedNamingTheFileAndNothingIsCreated() throws Exception {
        Path tar = Files.createTempDirectory(scratch, "export-tamper").resolve("a.tar");
        new TenantExport(stack.db(), stack.operatorDb(), stack.catalog())
                .export(new TenantExport.ExportRequest(a.tenant().slug(), List.of(), Actor.SYSTEM), tar, ExportProgress.NONE);
        String slug = "tam-" + UUID.randomUUID().toString().substring(0, 8);
        String part = "datasets/visits/data/part-000001.parquet";
        byte[] bytes = Files.readAllBytes(tar);
        int header = indexOf(bytes, part.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        bytes[header + 512 + 100] ^= 1; // one bit inside the file's content, after its tar header
        Files.write(tar, bytes);
        assertThatThrownBy(() -> importer(null).importArchive(new TenantImport.ImportRequest(tar, slug, Actor.SYSTEM), ExportProgress.NONE))
                .isInstanceOf(ArchiveException.class).hasMessageContaining(part).hasMessageContaining("does not match the manifest");
        assertThat(stack.db().tenantForSlug(slug)).isEmpty();

        Path dir = Files.createTempDirectory(scratch, "export-tamper").resolve("archive");
        new TenantExport(stack.db(), stack.operatorDb(), stack.catalog())
                .export(new TenantExport.ExportRequest(a.tenant().slug(), List.of(), Actor.SYSTEM), dir, ExportProgress.NONE);
        Files.writeString(dir.resolve("datasets.json"), Files.readString(dir.resolve("datasets.json")).replace("\"visits\"", "\"other\""));
        assertThatThrownBy(() -> importer(null).importArchive(new TenantImport.ImportRequest(dir, slug, Actor.SYSTEM), ExportProgress.NONE))
                .isInstanceOf(ArchiveException.class).hasMessageContaining("datasets.json");
        Files.delete(dir.resolve("tenant.json"));
        assertThatThrownBy(() -> importer(null).importArchive(new TenantImport.ImportRequest(dir, slug, Actor.SYSTEM), ExportProgress.NONE))
                .isInstanceOf(ArchiveException.class).hasMessageContaining("tenant.json").hasMessageContaining("missing");
        assertThat(stack.db().tenantForSlug(slug)).isEmpty();
    }

    @Test
    void anExportStoppedHalfWayLeavesNoArchiveUnderItsNameAndARerunWritesIt() throws Exception {
        Path tar = Files.createTempDirectory(scratch, "export-stopped").resolve("a.tar");
        TenantExport export = new TenantExport(stack.db(), stack.operatorDb(), stack.catalog());
        TenantExport.ExportRequest request = new TenantExport.ExportRequest(a.tenant().slug(), List.of(), Actor.SYSTEM);
        assertThatThrownBy(() -> export.export(request, tar, (done, total) -> {
            throw new Killed(null);
        })).isInstanceOf(Killed.class);
        assertThat(tar).doesNotExist();
        // a killed process leaves its partial file behind: the next run starts it again
        Files.writeString(tar.resolveSibling("a.tar.partial"), "half an archive");
        TenantExport.ExportResult result = export.export(request, tar, ExportProgress.NONE);
        assertThat(tar).exists();
        assertThat(tar.resolveSibling("a.tar.partial")).doesNotExist();
        assertThatThrownBy(() -> export.export(request, tar, ExportProgress.NONE)).isInstanceOf(ArchiveException.class)
                .hasMessageContaining("already exists");
        TenantImport.ImportResult copy = importer(null).importArchive(
                new TenantImport.ImportRequest(tar, "rr-" + UUID.randomUUID().toString().substring(0, 8), Actor.SYSTEM), ExportProgress.NONE);
        assertThat(copy.datasets().getFirst().rows()).isEqualTo(result.datasets().getFirst().rows());
    }

    @Test
    void anImportUnderAnotherTenantsSlugIsRefusedAndLeavesThatTenantAlone() throws Exception {
        Path dir = Files.createTempDirectory(scratch, "export-other").resolve("archive");
        new TenantExport(stack.db(), stack.operatorDb(), stack.catalog())
                .export(new TenantExport.ExportRequest(a.tenant().slug(), List.of(), Actor.SYSTEM), dir, ExportProgress.NONE);
        long before = rows(b.tenant().id());
        long snapshot = table(b.tenant().id()).currentSnapshot().snapshotId();
        assertThatThrownBy(() -> importer(null).importArchive(new TenantImport.ImportRequest(dir, b.tenant().slug(), Actor.SYSTEM),
                ExportProgress.NONE)).isInstanceOf(ControlException.class).hasMessageContaining("already exists");
        assertThat(table(b.tenant().id()).currentSnapshot().snapshotId()).isEqualTo(snapshot);
        assertThat(rows(b.tenant().id())).isEqualTo(before);
        assertThat(stack.schemas().versions(b.tenant().id(), "visits")).hasSize(1);
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    /** What a crash hook throws: nothing in the import catches an Error, so it stops where a killed process would. */
    static final class Killed extends Error {
        Killed(ImportCrashPoint point) {
            super("killed at " + (point == null ? "the first data file" : point));
        }
    }

    static TenantImport importer(ImportCrashPoint dieAt) {
        return new TenantImport(stack.db(), stack.tenants(), stack.catalog(), stack.catalog(), (point, dataset) -> {
            if (point == dieAt) {
                throw new Killed(point);
            }
        });
    }

    static Table table(TenantId tenant) {
        return stack.catalog().loadTable(LakeNames.table(tenant, "visits"));
    }

    static long rows(TenantId tenant) {
        Table table = table(tenant);
        return table.currentSnapshot() == null ? 0 : Long.parseLong(table.currentSnapshot().summary().get("total-records"));
    }

    /** The table's rows at one snapshot, as {@code event_id|url|referrer}. */
    static List<String> tableRows(TenantId tenant, long snapshot) throws IOException {
        Table table = table(tenant);
        boolean hasReferrer = table.schema().findField("referrer") != null;
        List<String> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(snapshot).build()) {
            for (Record r : records) {
                rows.add(r.getField("event_id") + "|" + r.getField("url") + "|" + (hasReferrer ? r.getField("referrer") : null));
            }
        }
        return rows;
    }

    /** The archive's rows as DuckDB reads them, knowing nothing of Pulse or Iceberg. */
    static List<String> archivedRows(Path archive) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement();
                ResultSet rs = st.executeQuery("SELECT event_id::VARCHAR, url, referrer FROM read_parquet('"
                        + archive.resolve("datasets/visits/data") + "/*.parquet', union_by_name = true)")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
            }
        }
        return rows;
    }

    static String events(String prefix, int count, boolean withReferrer) {
        ArrayNode events = JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            var data = events.addObject().put("dataset", "visits").putObject("data").put("url", "/" + prefix + "/" + i);
            if (withReferrer) {
                data.put("referrer", "ref-" + i);
            }
        }
        return events.toString();
    }

    static int post(String key, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + "/v1/events")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
