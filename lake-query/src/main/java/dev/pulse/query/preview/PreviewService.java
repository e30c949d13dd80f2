package dev.pulse.query.preview;

import dev.pulse.query.sandbox.DuckDbSandbox;
import dev.pulse.query.sandbox.SandboxResult;
import dev.pulse.query.sandbox.SandboxSession;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.freshness.IngestWatermarks;
import dev.pulse.schemas.lake.Warehouse;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The newest rows of a dataset, read along the isolation chain: the dataset row under RLS, its
 * table checked to be in the bound tenant's namespace and folder, the snapshot's files planned by
 * Iceberg and checked to be in the table's folder, then DuckDB confined to the selected files: read
 * in place from a folder warehouse, or from local copies ({@link ObjectFileCache}) of an
 * object-store one.
 */
public final class PreviewService {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewService.class);
    /** Isolation refusals go to their own logger so they can be routed to a security log. */
    private static final Logger SECURITY = LoggerFactory.getLogger("dev.pulse.query.security");

    /** Table loads, on threads of their own so that a request can give up on one (see {@link #load}). */
    private static final ExecutorService LOADS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("table-load-", 0).factory());

    private final TenantDatabase db;
    private final Catalog catalog;
    private final LakePaths lake;
    private final ObjectFileCache cache;
    private final DuckDbSandbox sandbox;

    /** Over a warehouse on this machine's file system, read in place. */
    public PreviewService(TenantDatabase db, Catalog catalog, String warehouse, DuckDbSandbox sandbox) {
        this(db, catalog, Warehouse.local(warehouse), null, sandbox);
    }

    /**
     * Over any warehouse; {@code cache} (folder, bytes, idle time) holds the local copies of an
     * object-store warehouse's files and is required for one.
     */
    public PreviewService(TenantDatabase db, Catalog catalog, Warehouse warehouse, CacheSettings cache, DuckDbSandbox sandbox) {
        this.db = db;
        this.catalog = catalog;
        this.lake = LakePaths.of(warehouse.location());
        if (warehouse.onLocalFileSystem()) {
            this.cache = null;
        } else if (cache == null) {
            throw new IllegalArgumentException("the warehouse " + warehouse + " is not on this machine's file system: a cache is needed");
        } else {
            this.cache = new ObjectFileCache(cache.dir(), cache.maxBytes(), cache.maxIdle(), Clock.systemUTC());
        }
        this.sandbox = sandbox;
    }

    /** Where lake-query keeps copies of an object-store warehouse's files, and how many. */
    public record CacheSettings(Path dir, long maxBytes, Duration maxIdle) {
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
        Path tableFolder = lake.tableFolder(id.namespace().level(0), table.location());
        Schema schema = table.schema();
        List<PreviewResult.Column> columns = schema.columns().stream()
                .map(f -> new PreviewResult.Column(f.name(), ColumnTypes.render(f.type())))
                .toList();
        Snapshot snapshot = table.currentSnapshot();
        if (snapshot == null) {
            return new PreviewResult(row.slug(), null, columns, List.of(), 0, 0, null);
        }
        List<DataFileCandidate> files = plan(lake, table, snapshot, tableFolder);
        List<DataFileCandidate> selected = selection == Selection.EVERY_FILE ? files : NewestFirstSelection.select(files, limit);
        if (selected.isEmpty()) {
            return new PreviewResult(row.slug(), snapshot.snapshotId(), columns, List.of(), 0, files.size(), null);
        }
        List<Map<String, Object>> rows = query(table, selected, columns, limit);
        return new PreviewResult(row.slug(), snapshot.snapshotId(), columns, rows, selected.size(), files.size(), null);
    }

    /**
     * The table, loaded within the query timeout. Iceberg retries reading a metadata file 20 times
     * with back-off up to 5 s (BaseMetastoreTableOperations, not configurable), so with the object
     * store away a load would hold the request for about 90 s; the caller gets its 503 at the
     * deadline instead, and the load is interrupted.
     */
    private Table load(TableIdentifier id, String slug) {
        Duration deadline = sandbox.limits().timeout();
        Future<Table> loading = LOADS.submit(() -> catalog.loadTable(id));
        try {
            return loading.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            loading.cancel(true);
            throw new LakeUnavailableException("the table's metadata could not be read within " + deadline.toMillis()
                    + " ms: the warehouse is slow or away", e);
        } catch (InterruptedException e) {
            loading.cancel(true);
            Thread.currentThread().interrupt();
            throw new LakeUnavailableException("interrupted while loading the table", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case NoSuchTableException missing -> {
                    LOG.warn("dataset '{}' names table {}, which the catalog does not have", slug, id);
                    throw new DatasetNotFoundException(slug);
                }
                case UncheckedSQLException sql -> throw new LakeUnavailableException("the Iceberg catalog cannot be reached: " + sql.getMessage(), sql);
                // The table's metadata file could not be read: the warehouse's storage is away.
                case UncheckedIOException io -> throw unreadableMetadata(io);
                case SdkException sdk -> throw unreadableMetadata(sdk);
                case RuntimeException other -> throw other;
                case Error error -> throw error;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    private static LakeUnavailableException unreadableMetadata(RuntimeException e) {
        return new LakeUnavailableException("the table's metadata cannot be read from the warehouse: " + e.getMessage(), e);
    }

    private static List<DataFileCandidate> plan(LakePaths lake, Table table, Snapshot snapshot, Path tableFolder) {
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
                Path path = lake.dataFile(tableFolder, file.location());
                if (seen.add(path)) {
                    files.add(new DataFileCandidate(path, file.location(), file.fileSizeInBytes(), file.recordCount(),
                            bound(file.lowerBounds(), eventTime), bound(file.upperBounds(), eventTime)));
                }
            }
        } catch (IOException e) {
            throw new LakeUnavailableException("cannot plan the files of " + table.name() + ": " + e.getMessage(), e);
        } catch (UncheckedIOException | NotFoundException | UncheckedSQLException | SdkException e) {
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

    private List<Map<String, Object>> query(Table table, List<DataFileCandidate> files, List<PreviewResult.Column> columns, int limit) {
        if (cache == null) {
            return query(files.stream().map(DataFileCandidate::path).toList(), columns, limit);
        }
        List<ObjectFileCache.Remote> remote = files.stream()
                .map(f -> new ObjectFileCache.Remote(f.location(), lake.root().relativize(f.path()), f.length()))
                .toList();
        try (ObjectFileCache.Lease copies = cache.copies(table.io(), remote)) {
            return query(copies.paths(), columns, limit);
        }
    }

    private List<Map<String, Object>> query(List<Path> paths, List<PreviewResult.Column> columns, int limit) {
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
