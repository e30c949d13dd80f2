package dev.pulse.control.lifecycle.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.ControlException;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.control.keys.ApiKeyStore;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.control.registry.SchemaRegistry;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.schemas.deadletters.DeadLetterFilter;
import dev.pulse.schemas.deadletters.DeadLetterRow;
import dev.pulse.schemas.deadletters.DeadLetterState;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.CloseableIterable;

/**
 * {@code pulse tenant export}: writes one archive of everything a tenant owns (layout:
 * {@link ArchiveLayout}).
 *
 * <p><b>Consistent.</b> Each table's current snapshot is pinned before any file is written, and its
 * data files are exactly that snapshot's (Iceberg's scan of that snapshot id); the manifest names
 * the snapshot. Events landing meanwhile make newer snapshots the export does not read. The
 * PostgreSQL parts (schemas, datasets, keys, audit, dead letters) are each read as they stand when
 * the export reaches them.
 *
 * <p><b>Streaming.</b> Data files go from the lake into the archive through one copy buffer,
 * hashed on the way; audit entries and dead letters are read in pages and staged as JSON Lines in
 * a temporary file (a tar entry needs its size first). Memory holds one page, one buffer and the
 * list of file names and hashes for the manifest.
 *
 * <p><b>Data files copied, not rewritten.</b> They are already Parquet with Iceberg field ids,
 * and a copy is as cheap as an export can be. That is right only while every row of a data file
 * is a row of the snapshot: a snapshot with delete files is refused (Pulse writes none).
 */
public final class TenantExport {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int AUDIT_PAGE = 1000;
    private static final int DEAD_LETTER_PAGE = 500;

    private final TenantDatabase db;
    private final OperatorDatabase operator;
    private final Catalog catalog;

    public TenantExport(TenantDatabase db, OperatorDatabase operator, Catalog catalog) {
        this.db = db;
        this.operator = operator;
        this.catalog = catalog;
    }

    /** What to export: the tenant, its datasets (empty: all of them), and who asks. */
    public record ExportRequest(String slug, List<String> datasets, Actor actor) {
        public ExportRequest {
            datasets = datasets == null ? List.of() : List.copyOf(datasets);
        }
    }

    /** One exported table: the snapshot its rows were read at (null: the table had none), its rows, files and bytes. */
    public record DatasetExport(String slug, Long snapshotId, long rows, int files, long bytes) {
    }

    public record ExportResult(UUID exportId, TenantId tenant, String slug, Path archive, List<DatasetExport> datasets, int files,
            long bytes, long auditEntries, long deadLetters, String manifestSha256, double seconds) {

        public ObjectNode toJson() {
            ObjectNode out = JSON.createObjectNode().put("export_id", exportId.toString()).put("tenant", tenant.toString()).put("slug", slug)
                    .put("archive", archive.toString()).put("files", files).put("bytes", bytes).put("audit_entries", auditEntries)
                    .put("dead_letters", deadLetters).put("manifest_sha256", manifestSha256).put("seconds", Math.round(seconds * 1000) / 1000.0);
            ArrayNode sets = out.putArray("datasets");
            for (DatasetExport d : datasets) {
                ObjectNode n = sets.addObject().put("slug", d.slug()).put("rows", d.rows()).put("files", d.files()).put("bytes", d.bytes());
                if (d.snapshotId() == null) {
                    n.putNull("snapshot_id");
                } else {
                    n.put("snapshot_id", d.snapshotId());
                }
            }
            return out;
        }
    }

    /** A dataset with its table and the snapshot pinned for the export. */
    private record Pinned(DatasetRecord dataset, Table table, Snapshot snapshot) {
    }

    public ExportResult export(ExportRequest request, Path target, ExportProgress progress) {
        long started = System.nanoTime();
        TenantId id = db.tenantForSlug(request.slug()).orElseThrow(() -> ControlException.notFound("tenant", request.slug()));
        TenantRecord tenant = db.inTenant(id, Tenants::current).orElseThrow(() -> ControlException.notFound("tenant", request.slug()));
        List<Pinned> pinned = pin(id, request);
        long totalFiles = pinned.stream().mapToLong(p -> p.snapshot() == null ? 0
                : Long.parseLong(p.snapshot().summary().getOrDefault("total-data-files", "0"))).sum();
        UUID exportId = UUID.randomUUID();
        Instant exportedAt = Instant.now();
        List<ArchiveEntry> entries = new ArrayList<>();
        List<DatasetExport> exported = new ArrayList<>();
        long[] counts = new long[2]; // audit entries, dead letters
        String manifestSha;
        Path staging = null;
        try (ArchiveSink sink = ArchiveSink.open(target)) {
            staging = Files.createTempDirectory("pulse-export-");
            entries.add(sink.add(ArchiveLayout.README, ArchiveLayout.readme(tenant.slug(), id.toString()).getBytes(StandardCharsets.UTF_8)));
            entries.add(sink.add(ArchiveLayout.TENANT, json(tenantJson(tenant))));
            entries.add(sink.add(ArchiveLayout.KEYS, json(keysJson(id))));
            writeSchemas(id, sink, entries);
            ArrayNode datasetsJson = JSON.createArrayNode();
            long[] done = {0};
            Map<String, Bucket> buckets = buckets(id);
            for (Pinned p : pinned) {
                exported.add(writeDataset(p, buckets.get(p.dataset().slug()), sink, entries, datasetsJson, done, totalFiles, progress));
            }
            entries.add(sink.add(ArchiveLayout.DATASETS, json(datasetsJson)));
            counts[0] = writeAudit(id, staging, sink, entries);
            counts[1] = writeDeadLetters(id, staging, sink, entries);
            byte[] manifest = json(manifest(exportId, exportedAt, request.actor(), tenant, exported, entries));
            manifestSha = sink.add(ArchiveLayout.MANIFEST, manifest).sha256();
            sink.finish();
        } catch (IOException e) {
            throw new ArchiveException("export-failed", "writing the archive " + target + " failed: " + e.getMessage(), e);
        } finally {
            deleteTree(staging);
        }
        long bytes = entries.stream().mapToLong(ArchiveEntry::bytes).sum();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("export_id", exportId.toString());
        detail.put("archive", target.getFileName().toString());
        detail.put("manifest_sha256", manifestSha);
        detail.put("files", entries.size() + 1);
        detail.put("bytes", bytes);
        detail.put("snapshots", exported.stream().filter(d -> d.snapshotId() != null)
                .collect(java.util.stream.Collectors.toMap(DatasetExport::slug, DatasetExport::snapshotId, (a, b) -> a, LinkedHashMap::new)));
        new AuditLog(db).record(request.actor().name(), "tenant.export", id, detail);
        return new ExportResult(exportId, id, tenant.slug(), target, exported, entries.size() + 1, bytes, counts[0], counts[1], manifestSha,
                (System.nanoTime() - started) / 1e9);
    }

    /** Every selected dataset's table and its current snapshot, all pinned before the first byte is written. */
    private List<Pinned> pin(TenantId id, ExportRequest request) {
        List<DatasetRecord> all = db.inTenant(id, DatasetDirectory::list);
        for (String wanted : request.datasets()) {
            if (all.stream().noneMatch(d -> d.slug().equals(wanted))) {
                throw ControlException.notFound("dataset", wanted);
            }
        }
        List<Pinned> pinned = new ArrayList<>();
        for (DatasetRecord d : all) {
            if (!request.datasets().isEmpty() && !request.datasets().contains(d.slug())) {
                continue;
            }
            if (!LakeNames.belongsTo(d.table(), id)) { // the row was read under RLS; the table must be in the tenant's namespace too
                throw new IllegalStateException("dataset '" + d.slug() + "' names table " + d.table() + " outside tenant " + id + "'s namespace");
            }
            Table table = catalog.loadTable(d.table());
            pinned.add(new Pinned(d, table, table.currentSnapshot()));
        }
        return pinned;
    }

    private record Bucket(String field, int count) {
    }

    private Map<String, Bucket> buckets(TenantId id) {
        Map<String, Bucket> out = new HashMap<>();
        db.inTenant(id, tx -> tx.query("SELECT slug, bucket_field, bucket_count FROM pulse.datasets WHERE bucket_field IS NOT NULL",
                rs -> out.put(rs.getString(1), new Bucket(rs.getString(2), rs.getInt(3)))));
        return out;
    }

    private DatasetExport writeDataset(Pinned p, Bucket bucket, ArchiveSink sink, List<ArchiveEntry> entries, ArrayNode datasetsJson, long[] done,
            long totalFiles, ExportProgress progress) throws IOException {
        DatasetRecord d = p.dataset();
        Table table = p.table();
        Snapshot snapshot = p.snapshot();
        Schema schema = snapshot != null && snapshot.schemaId() != null && table.schemas().containsKey(snapshot.schemaId())
                ? table.schemas().get(snapshot.schemaId()) : table.schema();
        entries.add(sink.add(ArchiveLayout.tableSchema(d.slug()), SchemaParser.toJson(schema, true).getBytes(StandardCharsets.UTF_8)));
        ArrayNode schemas = JSON.createArrayNode();
        for (Schema s : table.schemas().values()) {
            schemas.add(JSON.readTree(SchemaParser.toJson(s)));
        }
        entries.add(sink.add(ArchiveLayout.tableSchemas(d.slug()), json(schemas)));
        entries.add(sink.add(ArchiveLayout.partitionSpec(d.slug()), PartitionSpecParser.toJson(table.spec(), true).getBytes(StandardCharsets.UTF_8)));

        ObjectNode node = datasetsJson.addObject().put("slug", d.slug()).put("schema", d.schemaName()).put("schema_version", d.schemaVersion())
                .put("partitioning", d.partitioning()).put("table", d.table().toString()).put("created_at", d.createdAt().toString());
        if (bucket == null) {
            node.putNull("bucket");
        } else {
            node.putObject("bucket").put("field", bucket.field()).put("count", bucket.count());
        }
        node.put("table_schema", ArchiveLayout.tableSchema(d.slug())).put("table_schemas", ArchiveLayout.tableSchemas(d.slug()))
                .put("partition_spec", ArchiveLayout.partitionSpec(d.slug()));
        ArrayNode files = JSON.createArrayNode();
        long rows = 0;
        long bytes = 0;
        int index = 0;
        if (snapshot != null) {
            node.put("snapshot_id", snapshot.snapshotId()).put("snapshot_committed_at", Instant.ofEpochMilli(snapshot.timestampMillis()).toString());
            try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
                for (FileScanTask task : tasks) {
                    if (!task.deletes().isEmpty()) {
                        throw new ArchiveException("delete-files", "dataset '" + d.slug() + "': snapshot " + snapshot.snapshotId()
                                + " has delete files; the export copies data files as they are and would include deleted rows");
                    }
                    DataFile file = task.file();
                    String path = ArchiveLayout.dataFile(d.slug(), ++index);
                    ArchiveEntry entry;
                    try (InputStream in = table.io().newInputFile(file.location(), file.fileSizeInBytes()).newStream()) {
                        entry = sink.add(path, file.fileSizeInBytes(), in);
                    } catch (NotFoundException e) {
                        throw new ArchiveException("snapshot-gone", "dataset '" + d.slug() + "': data file " + file.location() + " of snapshot "
                                + snapshot.snapshotId() + " is gone (lake maintenance expired the snapshot during the export?); export again", e);
                    }
                    entries.add(entry);
                    files.addObject().put("path", path).put("records", file.recordCount()).put("bytes", entry.bytes())
                            .put("partition", table.specs().get(file.specId()).partitionToPath(file.partition()))
                            .put("spec_id", file.specId());
                    rows += file.recordCount();
                    bytes += entry.bytes();
                    progress.update(++done[0], Math.max(totalFiles, done[0]));
                }
            }
        } else {
            node.putNull("snapshot_id");
        }
        node.put("rows", rows);
        node.set("files", files);
        return new DatasetExport(d.slug(), snapshot == null ? null : snapshot.snapshotId(), rows, index, bytes);
    }

    private void writeSchemas(TenantId id, ArchiveSink sink, List<ArchiveEntry> entries) throws IOException {
        Map<String, String> modes = new HashMap<>();
        db.inTenant(id, tx -> tx.query("SELECT name, version, compatibility FROM pulse.event_schemas",
                rs -> modes.put(rs.getString(1) + "/" + rs.getInt(2), rs.getString(3))));
        SchemaRegistry registry = new SchemaRegistry(db);
        ArrayNode index = JSON.createArrayNode();
        for (SchemaRegistry.SchemaSummary summary : registry.list(id)) {
            for (RegisteredSchema version : registry.versions(id, summary.name())) {
                String path = ArchiveLayout.schemaFile(version.name(), version.version());
                entries.add(sink.add(path, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(version.definition())));
                index.addObject().put("name", version.name()).put("version", version.version())
                        .put("compatibility", modes.getOrDefault(version.name() + "/" + version.version(), "BACKWARD"))
                        .put("fingerprint", version.fingerprint()).put("created_at", version.createdAt().toString()).put("file", path);
            }
        }
        entries.add(sink.add(ArchiveLayout.SCHEMAS, json(index)));
    }

    private static ObjectNode tenantJson(TenantRecord tenant) {
        return JSON.createObjectNode().put("id", tenant.id().toString()).put("slug", tenant.slug()).put("name", tenant.name())
                .put("tier", tenant.tier()).put("status", tenant.status().name().toLowerCase(java.util.Locale.ROOT))
                .put("created_at", tenant.createdAt().toString());
    }

    /** Key metadata only: the key id is public, the secret was never stored and its hash never leaves PostgreSQL. */
    private ArrayNode keysJson(TenantId id) {
        ArrayNode keys = JSON.createArrayNode();
        for (ApiKeyStore.KeyInfo key : new ApiKeyStore(db).list(id)) {
            ObjectNode k = keys.addObject().put("key_id", key.keyId()).put("name", key.name());
            ArrayNode scopes = k.putArray("scopes");
            key.scopes().stream().map(Scope::name).map(s -> s.toLowerCase(java.util.Locale.ROOT)).sorted().forEach(scopes::add);
            k.put("status", key.status()).put("created_at", text(key.createdAt())).put("expires_at", text(key.expiresAt()))
                    .put("revoked_at", text(key.revokedAt())).put("last_used_at", text(key.lastUsedAt()));
        }
        return keys;
    }

    private long writeAudit(TenantId id, Path staging, ArchiveSink sink, List<ArchiveEntry> entries) throws IOException {
        Path file = staging.resolve(ArchiveLayout.AUDIT);
        long count = 0;
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file));
                JsonGenerator lines = JSON.getFactory().createGenerator(out)) {
            lines.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
            long after = 0;
            while (true) {
                List<AuditLog.AuditEntry> page = operator.auditEntriesAfter(id, after, AUDIT_PAGE);
                for (AuditLog.AuditEntry e : page) {
                    ObjectNode n = JSON.createObjectNode().put("seq", e.seq()).put("at", e.at().toString()).put("actor", e.actor())
                            .put("action", e.action());
                    n.set("detail", e.detail());
                    JSON.writeTree(lines, n);
                    after = e.seq();
                    count++;
                }
                if (page.size() < AUDIT_PAGE) {
                    break;
                }
            }
            lines.writeRaw('\n');
        }
        entries.add(sink.add(ArchiveLayout.AUDIT, file));
        return count;
    }

    private long writeDeadLetters(TenantId id, Path staging, ArchiveSink sink, List<ArchiveEntry> entries) throws IOException {
        Path file = staging.resolve(ArchiveLayout.DEAD_LETTERS);
        DeadLetterFilter open = DeadLetterFilter.ALL.withStates(Set.of(DeadLetterState.OPEN, DeadLetterState.PARKED));
        long count = 0;
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file));
                JsonGenerator lines = JSON.getFactory().createGenerator(out)) {
            lines.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
            String after = "";
            while (true) {
                String from = after;
                List<DeadLetterRow> page = db.inTenant(id, tx -> DeadLetterStore.page(tx, open, from, DEAD_LETTER_PAGE));
                for (DeadLetterRow row : page) {
                    JSON.writeTree(lines, deadLetterJson(row));
                    after = row.id();
                    count++;
                }
                if (page.size() < DEAD_LETTER_PAGE) {
                    break;
                }
            }
            if (count > 0) {
                lines.writeRaw('\n');
            }
        }
        entries.add(sink.add(ArchiveLayout.DEAD_LETTERS, file));
        return count;
    }

    private static ObjectNode deadLetterJson(DeadLetterRow row) {
        ObjectNode n = JSON.createObjectNode().put("id", row.id()).put("state", row.state().wireName()).put("reason", row.reason())
                .put("stage", row.stage()).put("message", row.message()).put("dataset", row.dataset()).put("event_id", row.eventId());
        ArrayNode violations = n.putArray("violations");
        if (row.violations() != null) {
            row.violations().forEach(v -> violations.addObject().put("pointer", v.pointer()).put("message", v.message()));
        }
        n.put("source_partition", row.sourcePartition()).put("source_offset", row.sourceOffset())
                .put("key_base64", row.key() == null ? null : Base64.getEncoder().encodeToString(row.key()))
                .put("payload_base64", row.payload() == null ? null : Base64.getEncoder().encodeToString(row.payload()));
        ObjectNode headers = n.putObject("headers");
        if (row.headers() != null) {
            row.headers().forEach(headers::put);
        }
        if (row.omittedBytes() == null) {
            n.putNull("omitted_bytes");
        } else {
            n.put("omitted_bytes", row.omittedBytes());
        }
        return n.put("attempts", row.attempts()).put("first_failed_at", text(row.firstFailedAt())).put("last_failed_at", text(row.lastFailedAt()));
    }

    private static ObjectNode manifest(UUID exportId, Instant exportedAt, Actor actor, TenantRecord tenant, List<DatasetExport> datasets,
            List<ArchiveEntry> entries) {
        ObjectNode m = JSON.createObjectNode().put("format", ArchiveLayout.FORMAT).put("format_version", ArchiveLayout.FORMAT_VERSION)
                .put("export_id", exportId.toString()).put("exported_at", exportedAt.toString()).put("exported_by", actor.name());
        m.putObject("tenant").put("id", tenant.id().toString()).put("slug", tenant.slug());
        ArrayNode sets = m.putArray("datasets");
        for (DatasetExport d : datasets) {
            ObjectNode n = sets.addObject().put("slug", d.slug());
            if (d.snapshotId() == null) {
                n.putNull("snapshot_id");
            } else {
                n.put("snapshot_id", d.snapshotId());
            }
            n.put("rows", d.rows()).put("files", d.files()).put("bytes", d.bytes());
        }
        ArrayNode files = m.putArray("files");
        entries.forEach(e -> files.addObject().put("path", e.path()).put("bytes", e.bytes()).put("sha256", e.sha256()));
        return m;
    }

    static byte[] json(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
