package dev.pulse.control.lifecycle.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.ControlException;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.control.datasets.Datasets;
import dev.pulse.control.registry.SchemaRegistry;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FanoutDataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.TypeUtil;

/**
 * {@code pulse tenant import}: recreates a tenant from an export, under a new slug (and a new id,
 * so new topics and a new namespace).
 *
 * <p><b>Checked first.</b> Every file is checked against the manifest before anything is created
 * ({@link VerifiedArchive}); a changed archive is refused naming the file.
 *
 * <p><b>Through the ordinary code.</b> The tenant is created by {@link Tenants#create}, every schema
 * version registered in order by {@link SchemaRegistry#register} (so versions keep their numbers and
 * compatibility rules), each dataset created by {@link Datasets#create} on its exported schema
 * version; the rows are then read from the archive's Parquet by the exported Iceberg schema (by
 * field id) and written into the new table by name, so a table whose columns were added over
 * time imports into one created fresh on the current version.
 *
 * <p><b>Safe to re-run.</b> Each dataset's rows go in as one Iceberg transaction: an append whose
 * snapshot summary names the export ({@value #IMPORT_SUMMARY}) together with the table property
 * {@value #IMPORTED_FROM}; a re-run skips a table that has the property, so rows land exactly once
 * however often the import is started. Files written before a crash and never committed are
 * orphans that lake maintenance removes. Definitions are created only where missing. The new
 * tenant's namespace carries {@value #NAMESPACE_MARK}, by which a re-run knows the tenant is its own.
 *
 * <p><b>Exactly-once of the worker.</b> The import's snapshots carry no {@code pulse.kafka.*} summary:
 * the worker's offset map ({@code SnapshotOffsets.newestWithOffsets}) walks past them as past any
 * snapshot Pulse's worker did not write, its ledger reconciliation reads no commit ranges from them,
 * and the source tenant's offsets (which name the source's topics) never reach the new tenant, whose
 * topics start empty. The dataset row's cached statistics (row count, newest event) are raised by
 * the imported rows right after the table commit, as the worker raises them after its own; a crash
 * exactly between the two leaves that cached count short by the import (the table's own
 * {@code total-records}, which {@code dataset show} reads, is right).
 */
public final class TenantImport {
    static final String IMPORTED_FROM = "pulse.imported-from";
    static final String IMPORT_SUMMARY = "pulse.import";
    static final String NAMESPACE_MARK = "pulse.import.export-id";

    private final TenantDatabase db;
    private final Tenants tenants;
    private final Catalog catalog;
    private final SupportsNamespaces namespaces;
    private final ImportCrashPoint.Hook crash;

    public TenantImport(TenantDatabase db, Tenants tenants, Catalog catalog, SupportsNamespaces namespaces, ImportCrashPoint.Hook crash) {
        this.db = db;
        this.tenants = tenants;
        this.catalog = catalog;
        this.namespaces = namespaces;
        this.crash = crash;
    }

    public record ImportRequest(Path archive, String slug, Actor actor) {
    }

    /** One dataset: the rows this run committed ({@code alreadyImported}: a previous run had). */
    public record DatasetImport(String slug, long rows, boolean alreadyImported) {
    }

    public record ImportResult(String exportId, TenantId tenant, String slug, String sourceSlug, boolean resumed, int schemaVersions,
            List<DatasetImport> datasets, double seconds) {

        public ObjectNode toJson() {
            ObjectNode out = TenantExport.JSON.createObjectNode().put("export_id", exportId).put("tenant", tenant.toString()).put("slug", slug)
                    .put("source_slug", sourceSlug).put("resumed", resumed).put("schema_versions", schemaVersions)
                    .put("seconds", Math.round(seconds * 1000) / 1000.0);
            ArrayNode sets = out.putArray("datasets");
            datasets.forEach(d -> sets.addObject().put("slug", d.slug()).put("rows", d.rows()).put("already_imported", d.alreadyImported()));
            return out;
        }
    }

    public ImportResult importArchive(ImportRequest request, ExportProgress progress) {
        long started = System.nanoTime();
        try (VerifiedArchive archive = VerifiedArchive.open(request.archive())) {
            String exportId = archive.manifest().path("export_id").asText();
            JsonNode source = archive.json(ArchiveLayout.TENANT);
            Tenant created = tenant(request, source, exportId);
            TenantId id = created.record().id();
            int versions = registerSchemas(archive, id, request.actor());
            JsonNode datasets = archive.json(ArchiveLayout.DATASETS);
            createDatasets(datasets, id, request.actor());
            crash.reached(ImportCrashPoint.AFTER_DEFINITIONS, null);
            long totalFiles = 0;
            for (JsonNode d : datasets) {
                totalFiles += d.path("files").size();
            }
            long[] done = {0};
            List<DatasetImport> results = new ArrayList<>();
            for (JsonNode d : datasets) {
                results.add(importRows(archive, id, d, exportId, done, totalFiles, progress));
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("export_id", exportId);
            detail.put("source_tenant", source.path("id").asText());
            detail.put("source_slug", source.path("slug").asText());
            detail.put("resumed", created.resumed());
            Map<String, Long> rows = new LinkedHashMap<>();
            results.forEach(r -> rows.put(r.slug(), r.rows()));
            detail.put("rows", rows);
            new AuditLog(db).record(request.actor().name(), "tenant.import", id, detail);
            return new ImportResult(exportId, id, created.record().slug(), source.path("slug").asText(), created.resumed(), versions, results,
                    (System.nanoTime() - started) / 1e9);
        }
    }

    private record Tenant(TenantRecord record, boolean resumed) {
    }

    /**
     * The new tenant: created, or (a re-run) the one an earlier run of this import created. A
     * tenant is that one when its namespace carries this export's mark, or when it has nothing yet
     * (a crash right after creating it, before the mark).
     */
    private Tenant tenant(ImportRequest request, JsonNode source, String exportId) {
        Optional<TenantId> existing = db.tenantForSlug(request.slug());
        TenantRecord record;
        boolean resumed = existing.isPresent();
        if (existing.isPresent()) {
            TenantId id = existing.get();
            String mark = namespaceMark(id);
            boolean empty = new SchemaRegistry(db).list(id).isEmpty() && new Datasets(db, catalog).list(id).isEmpty();
            if (!exportId.equals(mark) && !(mark == null && empty)) {
                throw ControlException.conflict("duplicate-slug", "a tenant with slug '" + request.slug() + "' already exists"
                        + (mark == null ? "" : " (imported from another export, " + mark + ")") + "; import under a new slug");
            }
            TenantRecord found = tenants.load(id).orElseThrow(() -> ControlException.notFound("tenant", request.slug()));
            record = found.status() == dev.pulse.schemas.directory.TenantStatus.PROVISIONING // Tenants.create finishes a stopped provisioning
                    ? tenants.create(request.slug(), found.name(), found.tier(), request.actor()).tenant() : found;
        } else {
            record = tenants.create(request.slug(), source.path("name").asText(), source.path("tier").asText(), request.actor()).tenant();
        }
        namespaces.setProperties(LakeNames.namespace(record.id()), Map.of(NAMESPACE_MARK, exportId));
        return new Tenant(record, resumed);
    }

    private String namespaceMark(TenantId id) {
        try {
            return namespaces.loadNamespaceMetadata(LakeNames.namespace(id)).get(NAMESPACE_MARK);
        } catch (org.apache.iceberg.exceptions.NoSuchNamespaceException e) {
            return null;
        }
    }

    /** Every schema version in order, so each gets its old number; a version already there must be the same schema. */
    private int registerSchemas(VerifiedArchive archive, TenantId id, Actor actor) {
        SchemaRegistry registry = new SchemaRegistry(db);
        List<JsonNode> versions = new ArrayList<>();
        archive.json(ArchiveLayout.SCHEMAS).forEach(versions::add);
        versions.sort(java.util.Comparator.comparing((JsonNode v) -> v.path("name").asText()).thenComparingInt(v -> v.path("version").asInt()));
        for (JsonNode v : versions) {
            String name = v.path("name").asText();
            int version = v.path("version").asInt();
            Optional<RegisteredSchema> have = registry.find(id, name, version);
            if (have.isPresent()) {
                if (!have.get().fingerprint().equals(v.path("fingerprint").asText())) {
                    throw ControlException.conflict("import-conflict", "schema '" + name + "' version " + version + " of the tenant differs from the archive's");
                }
                continue;
            }
            RegisteredSchema registered = registry.register(id, name, archive.json(v.path("file").asText()),
                    SchemaRegistry.CompatibilityMode.parse(v.path("compatibility").asText("BACKWARD")), actor).schema();
            if (registered.version() != version) {
                throw ControlException.conflict("import-conflict", "schema '" + name + "' version " + version + " registered as version "
                        + registered.version() + ": the tenant's schemas differ from the archive's");
            }
        }
        return versions.size();
    }

    private void createDatasets(JsonNode datasets, TenantId id, Actor actor) {
        Datasets directory = new Datasets(db, catalog);
        for (JsonNode d : datasets) {
            String slug = d.path("slug").asText();
            if (directory.find(id, slug).isPresent()) {
                continue;
            }
            JsonNode bucket = d.path("bucket");
            directory.create(id, slug, d.path("schema").asText(), d.path("schema_version").asInt(),
                    IcebergSchemas.Partitioning.parse(d.path("partitioning").asText()),
                    bucket.isObject() ? new Datasets.Bucket(bucket.path("field").asText(), bucket.path("count").asInt()) : null, actor);
        }
    }

    private DatasetImport importRows(VerifiedArchive archive, TenantId id, JsonNode dataset, String exportId, long[] done, long totalFiles,
            ExportProgress progress) {
        String slug = dataset.path("slug").asText();
        Table table = catalog.loadTable(LakeNames.table(id, slug));
        if (exportId.equals(table.properties().get(IMPORTED_FROM))) {
            done[0] += dataset.path("files").size();
            progress.update(done[0], totalFiles);
            return new DatasetImport(slug, 0, true);
        }
        Schema exported = SchemaParser.fromJson(archive.json(dataset.path("table_schema").asText()));
        Schema target = table.schema();
        Schema read;
        try {
            read = TypeUtil.reassignIds(target, exported); // the new table's columns, by name, with the archive's field ids
        } catch (IllegalArgumentException e) {
            throw new ArchiveException("schema-mismatch", "dataset '" + slug + "': the new table's columns do not match the archive's table schema: "
                    + e.getMessage(), e);
        }
        GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build();
        OutputFileFactory outputs = OutputFileFactory.builderFor(table, 1, System.currentTimeMillis()).format(FileFormat.PARQUET)
                .operationId("import-" + exportId).build();
        long targetSize = table.properties().containsKey(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES)
                ? Long.parseLong(table.properties().get(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES)) : TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT;
        PartitionKey key = new PartitionKey(table.spec(), target);
        InternalRecordWrapper wrapper = new InternalRecordWrapper(target.asStruct());
        List<DataFile> written = new ArrayList<>();
        long rows = 0;
        java.time.OffsetDateTime newest = null;
        try {
            for (JsonNode f : dataset.path("files")) {
                Path file = archive.file(f.path("path").asText());
                // One writer per archive file: an exported file holds one partition, so one file (rarely a few) is open at a time.
                FanoutDataWriter<Record> writer = new FanoutDataWriter<>(factory, outputs, table.io(), targetSize);
                try (writer; CloseableIterable<Record> records = FormatModelRegistry.<Record, Object>readBuilder(FileFormat.PARQUET, Record.class,
                        org.apache.iceberg.Files.localInput(file.toFile())).project(read).build()) {
                    for (Record r : records) {
                        if (r.getField("event_time") instanceof java.time.OffsetDateTime t && (newest == null || t.isAfter(newest))) {
                            newest = t;
                        }
                        key.partition(wrapper.wrap(r));
                        writer.write(r, table.spec(), key);
                        rows++;
                    }
                }
                written.addAll(writer.result().dataFiles());
                progress.update(++done[0], totalFiles);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(table, written);
            if (e instanceof ControlException c) {
                throw c;
            }
            throw new ArchiveException("import-failed", "dataset '" + slug + "': reading the archive's rows failed: " + e.getMessage(), e);
        }
        long expected = dataset.path("rows").asLong();
        if (rows != expected) {
            deleteQuietly(table, written);
            throw new ArchiveException("tampered-archive", "dataset '" + slug + "': the archive's data files hold " + rows + " rows, datasets.json says "
                    + expected);
        }
        crash.reached(ImportCrashPoint.BEFORE_TABLE_COMMIT, slug);
        Transaction tx = table.newTransaction();
        if (!written.isEmpty()) {
            AppendFiles append = tx.newAppend();
            written.forEach(append::appendFile);
            append.set(IMPORT_SUMMARY, exportId);
            append.set("pulse.import.source-snapshot", dataset.path("snapshot_id").asText());
            append.commit();
        }
        tx.updateProperties().set(IMPORTED_FROM, exportId).commit();
        tx.commitTransaction();
        // The dataset's cached statistics, as the worker keeps them after each of its commits (it adds its own rows to row_count).
        long imported = rows;
        java.time.Instant newestEvent = newest == null ? null : newest.toInstant();
        if (imported > 0) {
            db.inTenant(id, t -> t.update("""
                    UPDATE pulse.datasets
                       SET row_count = row_count + ?,
                           last_event_time = greatest(last_event_time, ?),
                           last_commit_at = greatest(last_commit_at, ?)
                     WHERE slug = ?""", imported, newestEvent, java.time.Instant.now(), slug));
        }
        crash.reached(ImportCrashPoint.AFTER_TABLE_COMMIT, slug);
        return new DatasetImport(slug, rows, false);
    }

    private static void deleteQuietly(Table table, List<DataFile> files) {
        for (DataFile f : files) {
            try {
                table.io().deleteFile(f.location());
            } catch (RuntimeException e) {
                // an orphan: lake maintenance's orphan scan removes it
            }
        }
    }
}
