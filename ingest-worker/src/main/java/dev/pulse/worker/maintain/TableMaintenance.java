package dev.pulse.worker.maintain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.lake.DatasetTableProperties;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.WorkerException;
import dev.pulse.worker.lake.CommitLedger;
import dev.pulse.worker.maintain.Compaction.CompactionResult;
import dev.pulse.worker.maintain.OrphanFiles.OrphanResult;
import dev.pulse.worker.maintain.SnapshotExpiry.ExpiryResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One maintenance run of one dataset's table, holding its lock ({@link MaintenanceState}): bring
 * the table properties up to date, compact, move the hourly time-travel tags and expire
 * snapshots, remove the metadata files of commit attempts that lost a race
 * ({@link LostCommitAttempts}), and (when due, or when asked) remove orphan files. Then record what it did.
 * Used by the worker's {@link MaintenanceScheduler} and by {@code pulse lake maintain}.
 */
public final class TableMaintenance {
    private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TenantDatabase db;
    private final Catalog catalog;
    private final MaintenanceConfig config;
    private final MaintenanceState state;
    private final CommitLedger ledger;
    private final Clock clock;

    public TableMaintenance(TenantDatabase db, Catalog catalog, MaintenanceConfig config) {
        this(db, catalog, config, Clock.systemUTC());
    }

    TableMaintenance(TenantDatabase db, Catalog catalog, MaintenanceConfig config, Clock clock) {
        this.db = db;
        this.catalog = catalog;
        this.config = config;
        this.state = new MaintenanceState(db);
        this.ledger = new CommitLedger(db, new RetryPolicy(3, Duration.ofMillis(200)));
        this.clock = clock;
    }

    /** How a run is asked for. */
    public enum Mode {
        /** The scheduler: orphans only when the scan interval has passed. */
        SCHEDULED,
        /** An operator: everything, orphans included. */
        FULL,
        /** An operator's dry run: what FULL would do, changing nothing. */
        DRY_RUN
    }

    /** What one run did: {@code lockedOut} when another maintainer was at it. */
    public record MaintenanceResult(TenantId tenant, String dataset, String table, boolean lockedOut, Map<String, String> propertiesSet,
            CompactionResult compaction, ExpiryResult expiry, LostCommitAttempts.Result lostAttempts, OrphanResult orphans, Duration took) {

        public boolean didWork() {
            return !propertiesSet.isEmpty() || compaction.didWork() || expiry.didWork() || lostAttempts.removed() > 0 || orphans.removed() > 0;
        }

        public ObjectNode toJson() {
            ObjectNode out = JSON.createObjectNode();
            out.put("tenant", tenant.toString()).put("dataset", dataset).put("table", table).put("locked_out", lockedOut);
            ObjectNode props = out.putObject("properties_set");
            propertiesSet.forEach(props::put);
            out.set("compaction", compactionJson(compaction));
            out.set("expiry", expiryJson(expiry));
            out.putObject("lost_commit_attempts").put("metadata_files_removed", lostAttempts.removed()).put("bytes_removed", lostAttempts.bytes());
            out.set("orphans", orphanJson(orphans));
            out.put("took_ms", took.toMillis());
            return out;
        }

        /** One line for an operator. */
        public String summary() {
            if (lockedOut) {
                return dataset + ": skipped, another maintainer is working on " + table;
            }
            StringBuilder sb = new StringBuilder(dataset).append(": ");
            if (!propertiesSet.isEmpty()) {
                sb.append("set ").append(propertiesSet.size()).append(" table properties; ");
            }
            sb.append("rewrote ").append(compaction.filesRewritten()).append(" files (").append(compaction.bytesRewritten())
                    .append(" B) into ").append(compaction.filesWritten()).append("; expired ").append(expiry.snapshotsExpired())
                    .append(" snapshots (deleted ").append(expiry.dataFilesDeleted()).append(" data files, ").append(expiry.otherFilesDeleted())
                    .append(" metadata files; ").append(expiry.snapshotsKept()).append(" kept); removed ").append(lostAttempts.removed())
                    .append(" metadata files of lost commit attempts; ");
            if (orphans.listed()) {
                sb.append("removed ").append(orphans.removed()).append(" orphan files (").append(orphans.bytesRemoved()).append(" B; ")
                        .append(orphans.tooYoung()).append(" younger than the window kept)");
            } else {
                sb.append("orphan scan not due");
            }
            return sb.toString();
        }
    }

    /** Maintains one dataset's table of {@code tenant}; the dataset row was read under RLS for that tenant. */
    public MaintenanceResult maintain(TenantId tenant, DatasetRecord dataset, Mode mode) {
        if (!LakeNames.belongsTo(dataset.table(), tenant)) {
            throw new WorkerException("dataset '" + dataset.slug() + "' of tenant " + tenant + " points at " + dataset.table()
                    + ", outside the tenant's namespace: not maintained");
        }
        long started = System.nanoTime();
        MaintenanceState.TenantPolicy policy = state.policy(tenant);
        Duration retention = config.retentionFor(policy.tier(), policy.retention());
        boolean dryRun = mode == Mode.DRY_RUN;
        Optional<MaintenanceResult> result = state.underLock(tenant, dataset.slug(), (row, tx) -> {
            Instant now = clock.instant();
            Table table = catalog.loadTable(dataset.table());
            Map<String, String> props = dryRun ? DatasetTableProperties.missing(table) : DatasetTableProperties.upgrade(table);
            CompactionResult compaction = Compaction.run(table, config, now, dryRun);
            ExpiryResult expiry = SnapshotExpiry.run(table, config.keepAll(), retention, clock.instant(), dryRun);
            LostCommitAttempts.Result lostAttempts = LostCommitAttempts.run(table, dryRun);
            boolean orphansDue = mode != Mode.SCHEDULED || row.lastOrphanScanAt() == null
                    || !row.lastOrphanScanAt().plus(config.orphanInterval()).isAfter(now);
            OrphanResult orphans = orphansDue ? OrphanFiles.run(table, config.orphanMinAge(), now, dryRun) : OrphanResult.SKIPPED;
            MaintenanceResult done = new MaintenanceResult(tenant, dataset.slug(), dataset.table().toString(), false, props, compaction,
                    expiry, lostAttempts, orphans, Duration.ofNanos(System.nanoTime() - started));
            if (!dryRun && expiry.snapshotsExpired() > 0) {
                // The ledger indexes snapshots: once they expired, their rows go too (each partition's
                // newest stays), so the ledger grows with the retention window, not the table's age.
                ledger.pruneExpired(tenant, dataset.slug(), table);
            }
            if (!dryRun) {
                MaintenanceState.record(tx, dataset.slug(), now,
                        compaction.didWork() ? compactionJson(compaction).toString() : null,
                        expiry.snapshotsExpired() > 0 ? expiryJson(expiry).toString() : null,
                        orphans.listed() ? orphanJson(orphans).toString() : null);
            }
            return done;
        });
        MaintenanceResult out = result.orElseGet(() -> new MaintenanceResult(tenant, dataset.slug(), dataset.table().toString(), true,
                Map.of(), CompactionResult.NONE, ExpiryResult.NONE, LostCommitAttempts.Result.NONE, OrphanResult.SKIPPED, Duration.ofNanos(System.nanoTime() - started)));
        if (out.didWork()) {
            LOG.info("maintained {} of tenant {}: {}", dataset.table(), tenant, out.summary());
        }
        return out;
    }

    static ObjectNode compactionJson(CompactionResult c) {
        return JSON.createObjectNode().put("groups", c.groups()).put("files_rewritten", c.filesRewritten())
                .put("files_written", c.filesWritten()).put("bytes_rewritten", c.bytesRewritten()).put("bytes_written", c.bytesWritten())
                .put("rows", c.rowsRewritten()).put("commit_conflicts", c.conflicts());
    }

    static ObjectNode expiryJson(ExpiryResult e) {
        return JSON.createObjectNode().put("snapshots_expired", e.snapshotsExpired()).put("data_files_deleted", e.dataFilesDeleted())
                .put("metadata_files_deleted", e.otherFilesDeleted()).put("tags_created", e.tagsCreated())
                .put("tags_removed", e.tagsRemoved()).put("snapshots_kept", e.snapshotsKept());
    }

    static ObjectNode orphanJson(OrphanResult o) {
        return JSON.createObjectNode().put("listed", o.listed()).put("files_listed", o.filesListed()).put("orphans", o.orphans())
                .put("removed", o.removed()).put("bytes_removed", o.bytesRemoved()).put("younger_than_window", o.tooYoung());
    }
}
