package dev.pulse.control.lifecycle.restore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pulse.control.ControlException;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Rolls a tenant's tables back to a point in their retained history, one dataset at a time,
 * without touching any other tenant's table or row (the tables are the tenant's namespace, the
 * rows it changes are read and written under RLS bound to the tenant).
 *
 * <p>Each dataset: <b>plan</b> (resolve the target among the retained snapshots; the raw-topic range
 * of the rows that go), then, holding the table's maintenance lock (so no compaction or expiry
 * moves files underneath), <b>commit one new snapshot</b> whose data files are exactly the
 * target's (an {@code overwrite}: the files added since are removed, the files compaction
 * replaced since are added back) and whose offsets map is carried forward from its parent,
 * validated against the snapshot it was planned on: a worker commit in between fails it and the
 * dataset is planned again. Then, in one RLS transaction, <b>release the dedup claims</b> of the
 * removed range (so a re-ingest of those events is not skipped as a duplicate), set the dataset's
 * row count and write the audit entry. Why the offsets are carried forward and not rolled back: see
 * this package's documentation.
 */
public final class TenantRestore {
    private static final int COMMIT_ATTEMPTS = 10;
    private static final Duration LOCK_WAIT = Duration.ofSeconds(120);

    private final TenantDatabase db;
    private final Catalog catalog;

    public TenantRestore(TenantDatabase db, Catalog catalog) {
        this.db = db;
        this.catalog = catalog;
    }

    /** What a restore did (or, for a dry run, would do). */
    public record RestoreResult(TenantId tenant, RestoreTarget target, List<DatasetPlan> datasets, boolean dryRun) {
        public ArrayNode datasetsJson() {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            datasets.forEach(d -> out.add(d.toJson()));
            return out;
        }

        public String describe() {
            return datasets.stream().map(DatasetPlan::describe).collect(Collectors.joining("\n"));
        }
    }

    /** Plans every dataset the target names (every dataset of the tenant for an instant); changes nothing. */
    public RestoreResult plan(TenantId tenant, RestoreTarget target) {
        List<DatasetPlan> plans = new ArrayList<>();
        for (DatasetRecord dataset : datasets(tenant, target)) {
            plans.add(plan(tenant, dataset, target.pointOf(dataset.slug()).orElseThrow()));
        }
        return new RestoreResult(tenant, target, plans, true);
    }

    /**
     * Restores every dataset the target names; a dataset an earlier run restored already is only
     * finished (its claims released), so a re-run after a crash completes the job.
     */
    public RestoreResult restore(TenantId tenant, RestoreTarget target, String actor, RestoreCrashPoint.Hook crash) {
        List<DatasetRecord> datasets = datasets(tenant, target);
        // Plan every dataset first: a target outside the retention window is refused before anything changes.
        Map<String, DatasetPlan> plans = new LinkedHashMap<>();
        for (DatasetRecord d : datasets) {
            plans.put(d.slug(), plan(tenant, d, target.pointOf(d.slug()).orElseThrow()));
        }
        List<DatasetPlan> done = new ArrayList<>();
        for (DatasetRecord d : datasets) {
            DatasetPlan plan = plans.get(d.slug());
            if (plan.restoredBy() == null && !plan.unchanged()) {
                plan = commitUnderLock(tenant, d, target.pointOf(d.slug()).orElseThrow(), actor);
                crash.reached(RestoreCrashPoint.AFTER_TABLE_COMMIT);
            }
            if (plan.restoredBy() != null) {
                finish(tenant, plan, actor);
            }
            done.add(plan);
        }
        return new RestoreResult(tenant, target, done, false);
    }

    private List<DatasetRecord> datasets(TenantId tenant, RestoreTarget target) {
        List<DatasetRecord> all = db.inTenant(tenant, DatasetDirectory::list);
        for (String named : target.perDataset().keySet()) {
            if (all.stream().noneMatch(d -> d.slug().equals(named))) {
                throw ControlException.notFound("dataset", named);
            }
        }
        return all.stream().filter(d -> target.pointOf(d.slug()).isPresent()).toList();
    }

    private DatasetPlan plan(TenantId tenant, DatasetRecord dataset, RestoreTarget.Point point) {
        Table table = catalog.loadTable(dataset.table());
        return plan(tenant, dataset, table, point);
    }

    private DatasetPlan plan(TenantId tenant, DatasetRecord dataset, Table table, RestoreTarget.Point point) {
        String raw = Topics.raw(tenant);
        Snapshot current = table.currentSnapshot();
        Snapshot target = resolve(dataset.slug(), table, point);
        DatasetPlan.Snap targetSnap = snap(target);
        DatasetPlan.Snap currentSnap = snap(current);
        if (current == null) {
            return new DatasetPlan(dataset.slug(), dataset.table().toString(), currentSnap, targetSnap, Map.of(), Map.of(), null);
        }
        Optional<Snapshot> restoredBy = earlierRestore(table, target);
        if (restoredBy.isPresent()) {
            Snapshot r = restoredBy.get();
            return new DatasetPlan(dataset.slug(), dataset.table().toString(), currentSnap, targetSnap,
                    SnapshotSummary.rawOffsets(r.summary().get(SnapshotSummary.RESTORE_TARGET_OFFSETS), raw),
                    SnapshotSummary.rawOffsets(r.summary().get(SnapshotSummary.OFFSETS), raw), r.snapshotId());
        }
        Map<Integer, Long> targetOffsets = SnapshotSummary.rawOffsets(targetOffsetsJson(dataset.slug(), table, target), raw);
        Map<Integer, Long> cutOffsets = SnapshotSummary.newestCounting(table, current)
                .map(s -> SnapshotSummary.rawOffsets(s.summary().get(SnapshotSummary.OFFSETS), raw)).orElse(Map.of());
        return new DatasetPlan(dataset.slug(), dataset.table().toString(), currentSnap, targetSnap, targetOffsets, cutOffsets, null);
    }

    private static DatasetPlan.Snap snap(Snapshot s) {
        return s == null ? new DatasetPlan.Snap(null, null, 0)
                : new DatasetPlan.Snap(s.snapshotId(), Instant.ofEpochMilli(s.timestampMillis()), SnapshotSummary.totalRecords(s));
    }

    /**
     * The target snapshot: by id, or the newest retained snapshot at or before the instant (on a
     * table whose history was expired that is the last kept point: an hourly tag or one of the
     * last minutes' snapshots). Null means "the empty table before its first snapshot", allowed
     * only while that first snapshot is still retained (else nothing says what the table held).
     */
    private static Snapshot resolve(String dataset, Table table, RestoreTarget.Point point) {
        List<Snapshot> retained = new ArrayList<>();
        table.snapshots().forEach(retained::add);
        retained.sort(Comparator.comparingLong(Snapshot::timestampMillis).thenComparingLong(Snapshot::sequenceNumber));
        if (retained.isEmpty()) {
            return null;
        }
        Snapshot oldest = retained.get(0);
        boolean historyComplete = oldest.parentId() == null;
        if (point.snapshotId() != null) {
            Snapshot s = table.snapshot(point.snapshotId());
            if (s == null) {
                throw new ControlException(ControlException.Kind.INVALID, "restore-outside-retention", "dataset '" + dataset + "' has no snapshot "
                        + point.snapshotId() + " (expired, or never its own); the oldest restorable time is " + oldestRestorable(oldest, historyComplete));
            }
            return s;
        }
        Snapshot chosen = null;
        for (Snapshot s : retained) {
            if (s.timestampMillis() <= point.at().toEpochMilli()) {
                chosen = s;
            }
        }
        if (chosen == null && !historyComplete) {
            throw new ControlException(ControlException.Kind.INVALID, "restore-outside-retention", point.at() + " is outside dataset '" + dataset
                    + "'s retention window: the oldest restorable time is " + oldestRestorable(oldest, false)
                    + " (lake maintenance keeps hourly points for the tenant's retention, see `pulse tenant set-retention`)");
        }
        return chosen;
    }

    private static String oldestRestorable(Snapshot oldest, boolean historyComplete) {
        return historyComplete ? "any time (the table's whole history is kept)" : Instant.ofEpochMilli(oldest.timestampMillis()).toString();
    }

    /** The offsets map the target's data covers (JSON), {@code {}} for the empty table. */
    private static String targetOffsetsJson(String dataset, Table table, Snapshot target) {
        if (target == null) {
            return "{}";
        }
        Optional<Snapshot> counting = SnapshotSummary.newestCounting(table, target);
        if (counting.isPresent()) {
            return counting.get().summary().get(SnapshotSummary.OFFSETS);
        }
        if (SnapshotSummary.reachesFirstSnapshot(table, target)) {
            return "{}"; // no event had landed yet
        }
        throw new ControlException(ControlException.Kind.INVALID, "restore-target-offsets-unknown", "snapshot " + target.snapshotId()
                + " of dataset '" + dataset + "' carries no offsets and its history is expired: which events it holds is unknown; pick another point");
    }

    /** The snapshot by which an earlier run restored this target, if the table still has it. */
    private static Optional<Snapshot> earlierRestore(Table table, Snapshot target) {
        String id = target == null ? "none" : Long.toString(target.snapshotId());
        Snapshot found = null;
        for (Snapshot s : table.snapshots()) {
            if (id.equals(s.summary().get(SnapshotSummary.RESTORE_TARGET)) && (target == null || s.sequenceNumber() > target.sequenceNumber())
                    && (found == null || s.sequenceNumber() > found.sequenceNumber())) {
                found = s;
            }
        }
        return Optional.ofNullable(found);
    }

    private DatasetPlan commitUnderLock(TenantId tenant, DatasetRecord dataset, RestoreTarget.Point point, String actor) {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            Optional<DatasetPlan> committed = MaintenanceLock.underLock(db, tenant, dataset.slug(), () -> commit(tenant, dataset, point, actor));
            if (committed.isPresent()) {
                return committed.get();
            }
            if (System.nanoTime() > deadline) {
                throw new ControlException(ControlException.Kind.CONFLICT, "restore-table-busy", "dataset '" + dataset.slug()
                        + "' has been held by lake maintenance for " + LOCK_WAIT.toSeconds() + " s; run the restore again later");
            }
            pause();
        }
    }

    /** Commits the restore snapshot, planning again when another commit got in first. */
    private DatasetPlan commit(TenantId tenant, DatasetRecord dataset, RestoreTarget.Point point, String actor) {
        Table table = catalog.loadTable(dataset.table());
        for (int attempt = 1; ; attempt++) {
            table.refresh();
            DatasetPlan plan = plan(tenant, dataset, table, point);
            if (plan.restoredBy() != null || plan.unchanged()) {
                return plan;
            }
            Snapshot base = table.snapshot(plan.current().id());
            Snapshot target = plan.target().id() == null ? null : table.snapshot(plan.target().id());
            Map<String, DataFile> now = files(table, base);
            Map<String, DataFile> then = target == null ? Map.of() : files(table, target);
            OverwriteFiles overwrite = table.newOverwrite();
            now.forEach((path, file) -> {
                if (!then.containsKey(path)) {
                    overwrite.deleteFile(file);
                }
            });
            then.forEach((path, file) -> {
                if (!now.containsKey(path)) {
                    overwrite.addFile(file);
                }
            });
            // Fails, instead of silently rebasing, when anything committed data since the planned base.
            overwrite.validateFromSnapshot(base.snapshotId()).conflictDetectionFilter(Expressions.alwaysTrue())
                    .validateNoConflictingData().validateNoConflictingDeletes();
            SnapshotSummary.newestCounting(table, base).ifPresent(s -> {
                overwrite.set(SnapshotSummary.OFFSETS, s.summary().get(SnapshotSummary.OFFSETS));
                overwrite.set(SnapshotSummary.OFFSETS_OF, Long.toString(base.snapshotId()));
            });
            overwrite.set(SnapshotSummary.RESTORE_TARGET, target == null ? "none" : Long.toString(target.snapshotId()));
            overwrite.set(SnapshotSummary.RESTORE_TARGET_OFFSETS, targetOffsetsJson(dataset.slug(), table, target));
            overwrite.set(SnapshotSummary.RESTORE_ACTOR, actor);
            try {
                overwrite.commit();
            } catch (CommitFailedException | ValidationException e) {
                if (attempt >= COMMIT_ATTEMPTS) {
                    throw new ControlException(ControlException.Kind.CONFLICT, "restore-commit-conflict", "dataset '" + dataset.slug()
                            + "' kept changing under the restore (" + attempt + " attempts, last: " + e.getMessage() + "); run it again", e);
                }
                continue;
            }
            table.refresh();
            Snapshot restored = table.currentSnapshot();
            return new DatasetPlan(plan.dataset(), plan.table(), plan.current(), plan.target(), plan.targetOffsets(), plan.cutOffsets(),
                    restored.snapshotId());
        }
    }

    private static Map<String, DataFile> files(Table table, Snapshot snapshot) {
        Map<String, DataFile> out = new HashMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                if (!task.deletes().isEmpty()) {
                    throw new ControlException(ControlException.Kind.CONFLICT, "restore-delete-files", "table " + table.name()
                            + " has row-level delete files, which Pulse never writes; restore refuses to guess");
                }
                out.put(task.file().location(), task.file().copy());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Releases the dedup claims of the removed range, so the worker lands those events again
     * when they are re-ingested (a claim names the raw position of the row that holds it); sets
     * the dataset's row count from the table and writes the audit entry. Idempotent: a re-run
     * after a crash does it again.
     */
    private void finish(TenantId tenant, DatasetPlan plan, String actor) {
        Table table = catalog.loadTable(org.apache.iceberg.catalog.TableIdentifier.parse(plan.table()));
        long rows = SnapshotSummary.totalRecords(table.currentSnapshot());
        db.inTenant(tenant, tx -> {
            long released = 0;
            for (Map.Entry<Integer, Long> cut : plan.cutOffsets().entrySet()) {
                released += tx.update("""
                        DELETE FROM pulse.event_ids
                         WHERE dataset_slug = ? AND kafka_partition = ? AND kafka_offset >= ? AND kafka_offset < ?""",
                        plan.dataset(), cut.getKey(), plan.offset(plan.targetOffsets(), cut.getKey()), cut.getValue());
            }
            tx.update("UPDATE pulse.datasets SET row_count = ? WHERE slug = ?", rows, plan.dataset());
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("dataset", plan.dataset());
            detail.put("restore_snapshot", plan.restoredBy());
            detail.put("target_snapshot", plan.target().id());
            detail.put("target_at", plan.target().at() == null ? null : plan.target().at().toString());
            detail.put("previous_snapshot", plan.current().id());
            detail.put("rows_removed", plan.rowsRemoved());
            detail.put("raw_range", plan.toJson().get("raw_range"));
            detail.put("dedup_claims_released", released);
            AuditLog.append(tx, new Actor(actor), "tenant.restore", detail);
            return released;
        });
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(ControlException.Kind.UNAVAILABLE, "restore-interrupted", "restore interrupted; run it again to finish");
        }
    }

}
