package dev.pulse.query.preview;

import dev.pulse.query.sandbox.DuckDbSandbox;
import dev.pulse.query.sandbox.SandboxResult;
import dev.pulse.query.sandbox.SandboxSession;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.freshness.IngestWatermarks;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.UncheckedSQLException;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest rows of a dataset, read along the isolation chain: the dataset row under RLS, its
 * table checked to be in the bound tenant's namespace and folder, the snapshot's files planned by
 * Iceberg and checked to be in the table's folder, then DuckDB confined to the selected files.
 */
public final class PreviewService {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewService.class);
    /** Isolation refusals go to their own logger so they can be routed to a security log. */
    private static final Logger SECURITY = LoggerFactory.getLogger("dev.pulse.query.security");

    private final TenantDatabase db;
    private final Catalog catalog;
    private final Path warehouse;
    private final DuckDbSandbox sandbox;

    public PreviewService(TenantDatabase db, Catalog catalog, String warehouse, DuckDbSandbox sandbox) {
        this.db = db;
        this.catalog = catalog;
        this.warehouse = LakePaths.local(warehouse);
        this.sandbox = sandbox;
    }

    /** The tenant's datasets (read under RLS): what its analysts may preview. */
    public List<DatasetRecord> datasets(TenantId tenant) {
        return db.inTenant(tenant, DatasetDirectory::list);
    }

    /** The newest {@code limit} events (by event_time, then event_id, descending). */
    public PreviewResult preview(TenantId tenant, String slug, int limit) {
        return read(tenant, slug, limit, Selection.NEWEST_FIRST);
    }

    /** Reads every file of the snapshot instead of the newest-first selection: only for comparison in benchmarks. */
    public PreviewResult previewReadingEveryFile(TenantId tenant, String slug, int limit) {
        return read(tenant, slug, limit, Selection.EVERY_FILE);
    }

    private enum Selection { NEWEST_FIRST, EVERY_FILE }

    private PreviewResult read(TenantId tenant, String slug, int limit, Selection selection) {
        record Found(DatasetRecord row, Optional<Instant> completeThrough) {
        }
        // The watermark is read before the table: every event it covers was committed before this
        // moment, so the snapshot loaded afterwards holds it. Read after, it could cover a commit
        // newer than the snapshot.
        Found found = db.inTenant(tenant, tx -> {
            Optional<DatasetRecord> row = DatasetDirectory.find(tx, slug);
            return row.isEmpty() ? Optional.<Found>empty() : Optional.of(new Found(row.get(), IngestWatermarks.completeThrough(tx)));
        }).orElseThrow(() -> new DatasetNotFoundException(slug));
        try {
            return read(tenant, found.row(), limit, selection).withCompleteThrough(found.completeThrough().orElse(null));
        } catch (IsolationViolationException e) {
            SECURITY.warn("refused preview of dataset '{}' for tenant {}: {}", slug, tenant, e.getMessage());
            throw new DatasetNotFoundException(slug);
        }
    }

    private PreviewResult read(TenantId tenant, DatasetRecord row, int limit, Selection selection) {
        TableIdentifier id = row.table();
        if (!LakeNames.belongsTo(id, tenant)) {
            throw new IsolationViolationException("dataset row names table " + id + ", outside namespace " + LakeNames.namespace(tenant));
        }
        if (!id.name().equals(LakeNames.tableName(row.slug()))) {
            throw new IsolationViolationException("dataset row names table " + id.name() + ", not " + LakeNames.tableName(row.slug()));
        }
        Table table = load(id, row.slug());
        Path tableFolder = LakePaths.tableFolder(warehouse, id.namespace().level(0), table.location());
        Schema schema = table.schema();
        List<PreviewResult.Column> columns = schema.columns().stream()
                .map(f -> new PreviewResult.Column(f.name(), ColumnTypes.render(f.type())))
                .toList();
        Snapshot snapshot = table.currentSnapshot();
        if (snapshot == null) {
            return new PreviewResult(row.slug(), null, columns, List.of(), 0, 0, null);
        }
        List<DataFileCandidate> files = plan(table, snapshot, tableFolder);
        List<DataFileCandidate> selected = selection == Selection.EVERY_FILE ? files : NewestFirstSelection.select(files, limit);
        if (selected.isEmpty()) {
            return new PreviewResult(row.slug(), snapshot.snapshotId(), columns, List.of(), 0, files.size(), null);
        }
        List<Map<String, Object>> rows = query(selected, columns, limit);
        return new PreviewResult(row.slug(), snapshot.snapshotId(), columns, rows, selected.size(), files.size(), null);
    }

    private Table load(TableIdentifier id, String slug) {
        try {
            return catalog.loadTable(id);
        } catch (NoSuchTableException e) {
            LOG.warn("dataset '{}' names table {}, which the catalog does not have", slug, id);
            throw new DatasetNotFoundException(slug);
        } catch (UncheckedSQLException e) {
            throw new LakeUnavailableException("the Iceberg catalog cannot be reached: " + e.getMessage(), e);
        }
    }

    private static List<DataFileCandidate> plan(Table table, Snapshot snapshot, Path tableFolder) {
        Types.NestedField eventTime = table.schema().findField(EventSchema.EVENT_TIME);
        List<DataFileCandidate> files = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        // includeColumnStats: without it the planned DataFiles carry no lower/upper bounds.
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId()).includeColumnStats().planFiles()) {
            for (FileScanTask task : tasks) {
                if (!task.deletes().isEmpty()) {
                    // read_parquet would show deleted rows: refuse rather than show wrong data.
                    throw new DatasetNotPreviewableException("the table has row-level deletes, which a preview does not apply yet");
                }
                DataFile file = task.file();
                if (file.format() != FileFormat.PARQUET) {
                    throw new DatasetNotPreviewableException("the table holds a " + file.format() + " file; a preview reads Parquet only");
                }
                Path path = LakePaths.dataFile(tableFolder, file.location());
                if (seen.add(path)) {
                    files.add(new DataFileCandidate(path, file.recordCount(),
                            bound(file.lowerBounds(), eventTime), bound(file.upperBounds(), eventTime)));
                }
            }
        } catch (IOException e) {
            throw new LakeUnavailableException("cannot plan the files of " + table.name() + ": " + e.getMessage(), e);
        } catch (UncheckedIOException | NotFoundException | UncheckedSQLException e) {
            throw new LakeUnavailableException("cannot plan the files of " + table.name() + ": " + e.getMessage(), e);
        }
        return files;
    }

    private static Long bound(Map<Integer, ByteBuffer> bounds, Types.NestedField field) {
        if (field == null || bounds == null) {
            return null;
        }
        ByteBuffer buffer = bounds.get(field.fieldId());
        if (buffer == null) {
            return null;
        }
        return Conversions.fromByteBuffer(field.type(), buffer) instanceof Long micros ? micros : null;
    }

    private List<Map<String, Object>> query(List<DataFileCandidate> files, List<PreviewResult.Column> columns, int limit) {
        List<Path> paths = files.stream().map(DataFileCandidate::path).toList();
        SandboxResult result;
        try (SandboxSession session = sandbox.open(paths)) {
            result = session.run("SELECT * FROM " + DuckDbSandbox.VIEW + " ORDER BY " + EventSchema.EVENT_TIME + " DESC, "
                    + EventSchema.EVENT_ID + " DESC LIMIT " + limit);
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < result.columns().size(); i++) {
            index.put(result.columns().get(i).name(), i);
        }
        List<Map<String, Object>> rows = new ArrayList<>(result.rows().size());
        for (List<Object> values : result.rows()) {
            // The table's columns, in the table's order; a column no selected file has yet is null.
            Map<String, Object> row = new LinkedHashMap<>();
            for (PreviewResult.Column c : columns) {
                Integer i = index.get(c.name());
                row.put(c.name(), i == null ? null : values.get(i));
            }
            rows.add(row);
        }
        return rows;
    }
}
