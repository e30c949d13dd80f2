package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.cli.doctor.Doctor;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.lifecycle.deletion.DeletionCertificate;
import dev.pulse.control.lifecycle.deletion.DeletionCrashPoint;
import dev.pulse.control.lifecycle.deletion.SigningKey;
import dev.pulse.control.lifecycle.deletion.TenantDeletion;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.GroupListing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code pulse tenant delete} on the whole pipeline (API, worker with its DLQ indexer, lake-query):
 * two tenants with data; deleting one leaves no row (every tenant table, found from the catalog,
 * scanned as the superuser), topic, group offset, catalog entry or file of it, leaves the other's
 * rows and files exactly as they were, and its certificate verifies and fails once edited. A
 * deletion that dies at each crash point is finished by the next run; the slug can be taken again
 * by a new, empty tenant.
 */
class TenantDeletionIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static PipelineFixture pipeline;
    static Path keyFile;
    static Path envFile;

    record Tenant(String slug, TenantId id, String key) {
    }

    @BeforeAll
    static void start() throws Exception {
        startOn(PipelineFixture.shared());
    }

    /** The pipeline the tests run on, and a pulse.env for the CLI with a deletion signing key. */
    static void startOn(PipelineFixture fixture) throws Exception {
        pipeline = fixture;
        Path dir = Files.createTempDirectory("pulse-deletion-it");
        keyFile = dir.resolve("deletion-signing-key.pem");
        SigningKey.loadOrGenerate(keyFile);
        Map<String, String> env = new HashMap<>(Settings.readEnvFile(pipeline.envFile));
        env.put(PulseKeys.DELETION_SIGNING_KEY.name(), keyFile.toString());
        envFile = DevCommand.writeEnvFile(dir, env);
    }

    @Test
    void deletingATenantLeavesNoTraceAnywhereAndTheOtherTenantExactlyAsItWas() throws Exception {
        Tenant b = newTenantWithData("del-b");
        Tenant a = newTenantWithData("del-a");
        Map<String, String> bBefore = awaitStable(b.id());
        Map<String, String> bFilesBefore = parquetHashes(b.id());
        assertThat(bFilesBefore).isNotEmpty();
        assertThat(rowsOf(a.id()).values()).anyMatch(v -> !v.startsWith("0:"));

        // B's manage key has no way to delete A: there is no HTTP route (CLI only, with the deployment's credentials).
        HttpResponse<String> viaB = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + "/admin/v1/tenants/" + a.slug()))
                .header("Authorization", "Bearer " + b.key()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaB.statusCode()).isIn(401, 403, 404, 405);

        PulseProcess.Result refused = PulseProcess.run(envFile, "tenant", "delete", a.slug(), "--confirm", b.slug());
        assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(2);
        assertThat(refused.stderr()).contains("does not match");

        Path certificate = Files.createTempDirectory("pulse-certificate").resolve("a.json");
        PulseProcess.Result deleted = PulseProcess.run(envFile, "tenant", "delete", a.slug(), "--confirm", a.slug(),
                "--certificate", certificate.toString(), "--json");
        assertThat(deleted.exitCode()).as(deleted.stderr()).isZero();
        JsonNode result = OperatorClient.JSON.readTree(deleted.stdout());
        assertThat(result.path("tenant_id").asText()).isEqualTo(a.id().toString());

        assertNoTrace(a);
        assertThat(content(b.id())).isEqualTo(bBefore);
        assertThat(parquetHashes(b.id())).isEqualTo(bFilesBefore);
        assertThat(get(pipeline.queryUrl() + "/v1/datasets/page-views/preview?limit=10", b.key()).statusCode()).isEqualTo(200);
        assertThat(get(pipeline.apiUrl() + "/v1/usage", a.key()).statusCode()).isEqualTo(401);
        assertThat(Doctor.audit(Infrastructure.from(pipeline.stack.settings()),
                Infrastructure.operatorDatabaseUrl(pipeline.stack.settings())).findings()).isEmpty();

        JsonNode document = OperatorClient.JSON.readTree(Files.readString(certificate));
        assertThat(document.path("tenant").path("slug").asText()).isEqualTo(a.slug());
        assertThat(document.path("stores").path("kafka").path("removed").path("topics").path(Topics.raw(a.id())).path("records").asLong())
                .isPositive();
        assertThat(document.path("stores").path("iceberg").path("removed").path("bytes").asLong()).isPositive();
        assertThat(document.path("stores").path("postgresql").path("removed").path("pulse.tenants").asLong()).isEqualTo(1);
        assertThat(document.path("stores").path("postgresql").path("removed").path("pulse.dead_letters").asLong()).isPositive();
        assertThat(tombstones(a.id())).containsExactly(DeletionCertificate.sha256(document));

        PulseProcess.Result verified = PulseProcess.run(envFile, "tenant", "verify-deletion", certificate.toString(), "--check-stores");
        assertThat(verified.exitCode()).as(verified.stdout() + verified.stderr()).isZero();
        assertThat(verified.stdout()).contains("signed by the deployment's key").contains("no trace of tenant " + a.id());
        ObjectNode edited = (ObjectNode) document.deepCopy();
        ((ObjectNode) edited.path("stores").path("postgresql").path("removed")).put("pulse.tenants", 0);
        Path editedFile = certificate.resolveSibling("edited.json");
        Files.writeString(editedFile, DeletionCertificate.text(edited));
        PulseProcess.Result forged = PulseProcess.run(envFile, "tenant", "verify-deletion", editedFile.toString());
        assertThat(forged.exitCode()).isEqualTo(1);
        assertThat(forged.stdout()).contains("INVALID").contains("edited");

        // The slug is free again; the new tenant has a new id and sees nothing of the old one.
        JsonNode again = pipeline.operator.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", a.slug()));
        assertThat(again.path("id").asText()).isNotEqualTo(a.id().toString());
        TenantId newId = TenantId.parse(again.path("id").asText());
        assertThat(pipeline.operator.get("/admin/v1/tenants/" + a.slug() + "/datasets")).isEmpty();
        assertThat(rowsOf(newId).entrySet()).allMatch(e -> e.getValue().startsWith("0:") || e.getKey().equals("pulse.tenants"));
        assertThat(pipeline.stack.operatorDb().auditLog(newId, 100)).allMatch(e -> e.action().equals("tenant.create"));
    }

    @Test
    void aDeletionThatDiesAtEachCrashPointIsFinishedByTheNextRun() throws Exception {
        Tenant a = newTenantWithData("del-c");
        SigningKey key = SigningKey.load(keyFile);
        Path certificate = Files.createTempDirectory("pulse-certificate").resolve("c.json");
        Settings settings = pipeline.stack.settings();
        Infrastructure infrastructure = Infrastructure.from(settings);
        try (var db = infrastructure.openDatabase("deletion-it"); var catalog = infrastructure.openCatalog(); var admin = infrastructure.openKafkaAdmin();
                var io = infrastructure.warehouse().openFileIo()) {
            TenantDeletion deletion = new TenantDeletion(db, Infrastructure.operatorDatabaseUrl(settings), admin, catalog, io,
                    infrastructure.warehouse().location(), Clock.systemUTC());
            // The worst moments: Kafka gone but the lake and rows there; the lake gone but every row there;
            // everything gone and certified but no tombstone. (AFTER_ROWS_DELETED resumes the same way.)
            for (DeletionCrashPoint point : List.of(DeletionCrashPoint.AFTER_TOPICS_DELETED, DeletionCrashPoint.AFTER_TABLES_DROPPED,
                    DeletionCrashPoint.AFTER_CERTIFICATE_WRITTEN)) {
                try {
                    deletion.delete(a.slug(), new Actor("operator:it"), key, certificate, reached -> {
                        if (reached == point) {
                            throw new Crash(point);
                        }
                    });
                    throw new AssertionError("did not stop at " + point);
                } catch (Crash expected) {
                    // the job died here; the next iteration runs it again
                }
                if (point == DeletionCrashPoint.AFTER_TOPICS_DELETED) {
                    // Half-deleted: the tenant is marked deleting, its keys are refused everything, the doctor names the job.
                    assertThat(get(pipeline.queryUrl() + "/v1/datasets", a.key()).statusCode()).isEqualTo(403);
                    assertThat(Doctor.audit(infrastructure, Infrastructure.operatorDatabaseUrl(settings)).findings())
                            .anySatisfy(f -> assertThat(f.toString()).contains("is being deleted"));
                }
            }
            TenantDeletion.DeletionResult finished = deletion.delete(a.slug(), new Actor("operator:it"), key, certificate);
            assertThat(finished.resumed()).isTrue();
            assertThat(DeletionCertificate.verify(finished.certificate(), Optional.of(key.publicKey())).valid()).isTrue();
            assertThat(finished.certificate().path("stores").path("postgresql").path("removed").path("pulse.tenants").asLong()).isEqualTo(1);
            assertThat(tombstones(a.id())).containsExactly(finished.certificateSha256());
        }
        assertNoTrace(a);
    }

    static final class Crash extends Error {
        Crash(DeletionCrashPoint point) {
            super("crash at " + point);
        }
    }

    /** No topic, group offset, catalog entry, file, row or directory entry of the tenant, by independent means. */
    static void assertNoTrace(Tenant a) throws Exception {
        var admin = pipeline.stack.kafkaAdmin();
        assertThat(admin.listTopics().names().get()).doesNotContain(Topics.raw(a.id()), Topics.dlq(a.id()));
        for (GroupListing group : admin.listGroups().all().get()) {
            assertThat(group.groupId()).doesNotContain(a.id().toString());
            assertThat(admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get().keySet())
                    .noneMatch(p -> p.topic().contains(a.id().toString()));
        }
        assertThat(pipeline.stack.catalog().namespaceExists(LakeNames.namespace(a.id()))).isFalse();
        Path folder = namespaceFolder(a.id());
        if (Files.exists(folder)) {
            // An object store has no folders, and its server may keep an empty directory: no object is what counts.
            try (Stream<Path> left = Files.walk(folder)) {
                assertThat(left.filter(Files::isRegularFile)).as("objects left under " + folder).isEmpty();
            }
        }
        assertThat(rowsOf(a.id()).values()).allMatch(v -> v.startsWith("0:"));
        try (Connection c = superuser(); PreparedStatement ps = c.prepareStatement("""
                SELECT (SELECT count(*) FROM pulse_directory.tenant_slugs WHERE tenant_id = ? OR slug = ?)
                     + (SELECT count(*) FROM pulse_directory.api_key_ids WHERE tenant_id = ?)
                     + (SELECT count(*) FROM pulse_directory.tenant_deletions WHERE tenant_id = ?)
                     + (SELECT count(*) FROM pulse_directory.audit_log WHERE tenant_id = ? AND action <> 'tenant.deleted')""")) {
            for (int i = 1; i <= 5; i++) {
                ps.setObject(i, i == 2 ? a.slug() : a.id().value());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    /** The tombstones' certificate hashes: the tenant's only audit entries. */
    static List<String> tombstones(TenantId tenant) throws Exception {
        List<String> hashes = new ArrayList<>();
        try (Connection c = superuser(); PreparedStatement ps = c.prepareStatement(
                "SELECT action, detail->>'certificate_sha256' FROM pulse_directory.audit_log WHERE tenant_id = ?")) {
            ps.setObject(1, tenant.value());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertThat(rs.getString(1)).isEqualTo("tenant.deleted");
                    hashes.add(rs.getString(2));
                }
            }
        }
        return hashes;
    }

    /**
     * Every tenant table found from the catalog (schema pulse, a tenant_id column), read as the
     * superuser (no row-level security): the tenant's row count and a hash of its rows' text.
     */
    static Map<String, String> rowsOf(TenantId tenant) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = superuser()) {
            List<String> tables = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                     WHERE c.relkind IN ('r', 'p') AND n.nspname = 'pulse'""");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("pulse.tenants", "pulse.api_keys", "pulse.dead_letters", "pulse.event_ids");
            for (String table : tables) {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM "
                        + table + " t WHERE tenant_id = ?")) {
                    ps.setObject(1, tenant.value());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        out.put(table, rs.getLong(1) + ":" + rs.getString(2));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The worker's own bookkeeping rows that it rewrites on a timer whatever happens (the freshness
     * watermark of every partition, each table's maintenance record): compared by count only.
     */
    static final java.util.Set<String> REWRITTEN_ON_A_TIMER = java.util.Set.of("pulse.ingest_watermarks", "pulse.dataset_maintenance");

    static Map<String, String> content(TenantId tenant) throws Exception {
        Map<String, String> rows = rowsOf(tenant);
        REWRITTEN_ON_A_TIMER.forEach(t -> rows.computeIfPresent(t, (k, v) -> v.substring(0, v.indexOf(':'))));
        return rows;
    }

    /** B's rows once nothing changes them any more (a key's last use is written a few seconds after it). */
    static Map<String, String> awaitStable(TenantId tenant) throws Exception {
        Map<String, String>[] last = new Map[] {content(tenant)};
        await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(1500)).until(() -> {
            Map<String, String> now = content(tenant);
            boolean stable = now.equals(last[0]);
            last[0] = now;
            return stable;
        });
        return last[0];
    }

    static Map<String, String> parquetHashes(TenantId tenant) throws Exception {
        Path folder = namespaceFolder(tenant);
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                out.put(folder.relativize(file).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        return out;
    }

    /**
     * The tenant's namespace folder on this machine's disk: in the warehouse folder, or, for an
     * object-store stack, where the S3 server keeps the objects under that prefix.
     */
    static Path namespaceFolder(TenantId tenant) {
        String warehouse = pipeline.stack.environment().get(PulseKeys.WAREHOUSE.name());
        String namespace = LakeNames.namespace(tenant).level(0);
        if (warehouse.startsWith("s3://")) {
            return pipeline.stack.devStack().dataDir().resolve("s3/buckets").resolve(warehouse.substring("s3://".length())).resolve(namespace);
        }
        return Path.of(warehouse, namespace);
    }

    static Connection superuser() throws Exception {
        return DriverManager.getConnection(pipeline.stack.devStack().superuserJdbcUrl());
    }

    /** A tenant with a dataset, a key, landed rows, a dead letter and an idempotency key. */
    static Tenant newTenantWithData(String prefix) throws Exception {
        String slug = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode tenant = pipeline.operator.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", slug));
        ObjectNode schema = OperatorClient.JSON.createObjectNode().put("name", "page-view");
        schema.set("definition", DevCommand.DemoTenant.demoSchema());
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/schemas", schema);
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/datasets", OperatorClient.JSON.createObjectNode().put("slug", "page-views").put("schema", "page-view"));
        ObjectNode keyRequest = OperatorClient.JSON.createObjectNode();
        keyRequest.putArray("scopes").add("ingest").add("query").add("manage");
        String key = pipeline.operator.post("/admin/v1/tenants/" + slug + "/keys", keyRequest).path("key").asText();
        TenantId id = TenantId.parse(tenant.path("id").asText());
        ArrayNode events = OperatorClient.JSON.createArrayNode();
        for (int i = 0; i < 20; i++) {
            events.addObject().put("dataset", "page-views").put("event_id", slug + "-" + i).putObject("data").put("url", "/" + i).put("duration_ms", i);
        }
        events.addObject().put("dataset", "page-views").put("event_id", slug + "-bad").putObject("data").put("url", "/bad").put("duration_ms", "x");
        HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + "/v1/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json").header("Idempotency-Key", "k-" + slug)
                .POST(HttpRequest.BodyPublishers.ofString(events.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        DatasetDirectory datasets = new DatasetDirectory(pipeline.stack.db());
        await().atMost(Duration.ofSeconds(30)).until(() -> datasets.list(id).getFirst().rowCount() == 20
                && pipeline.stack.db().inTenant(id, tx -> tx.queryOptional("SELECT count(*) FROM pulse.dead_letters", rs -> rs.getLong(1)).orElse(0L)) > 0);
        return new Tenant(slug, id, key);
    }

    static HttpResponse<String> get(String url, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }
}
