package dev.pulse.worker.maintain;

import dev.pulse.worker.lake.SnapshotOffsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * Expires snapshots with Iceberg's {@link ExpireSnapshots}, then deletes the files only the
 * expired snapshots referenced (reachable before the expiry, unreachable after it).
 *
 * <p><b>What stays</b> (and so what a user can travel back to):
 * <ul>
 *   <li>every snapshot younger than {@code PULSE_SNAPSHOT_KEEP_ALL} (10 min by default): any
 *       commit of the recent past;</li>
 *   <li>one point per hour for the tenant's retention ({@code PULSE_SNAPSHOT_RETENTION*} or the
 *       tenant's own setting): the newest snapshot of each UTC hour, kept by an Iceberg tag named
 *       {@code pulse-hourly-<yyyy-MM-ddTHH>Z}, readable by tag name or by time
 *       ({@code asOfTime} resolves to the hour's point); tags older than the retention are removed;</li>
 *   <li>always the current snapshot, and the newest snapshot whose offsets map counts
 *       ({@link SnapshotOffsets#newestWithOffsets}) with everything after it: the worker's
 *       exactly-once truth is never expired, whatever maintenance committed since.</li>
 * </ul>
 * A table committing every second so keeps about 600 + 24 × retention-days snapshots, and its
 * metadata does not grow with its age.
 */
public final class SnapshotExpiry {
    public static final String TAG_PREFIX = "pulse-hourly-";
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH'Z'").withZone(ZoneOffset.UTC);
    private static final int COMMIT_ATTEMPTS = 5;

    private SnapshotExpiry() {
    }

    public record ExpiryResult(int snapshotsExpired, int dataFilesDeleted, int otherFilesDeleted, int tagsCreated, int tagsRemoved, int snapshotsKept) {
        static final ExpiryResult NONE = new ExpiryResult(0, 0, 0, 0, 0, 0);

        public boolean didWork() {
            return snapshotsExpired > 0 || tagsCreated > 0 || tagsRemoved > 0;
        }
    }

    static ExpiryResult run(Table table, Duration keepAll, Duration retention, Instant now, boolean dryRun) {
        table.refresh();
        if (table.currentSnapshot() == null) {
            return ExpiryResult.NONE;
        }
        int[] tags = dryRun ? new int[] {0, 0} : updateHourlyTags(table, keepAll, retention, now);
        long expireBefore = now.minus(keepAll).toEpochMilli();
        for (int attempt = 1; ; attempt++) {
            TableOperations ops = ((HasTableOperations) table).operations();
            TableMetadata before = ops.refresh();
            ExpireSnapshots expire = table.expireSnapshots()
                    .expireOlderThan(expireBefore)
                    .retainLast(protectedCount(table))
                    // Files are deleted below, by reachability: Iceberg's incremental cleanup would
                    // keep a compacted-away file until the compaction snapshot itself expires.
                    .cleanExpiredFiles(false);
            try {
                List<Snapshot> expired = expire.apply();
                if (dryRun || expired.isEmpty()) {
                    return new ExpiryResult(expired.size(), 0, 0, tags[0], tags[1], before.snapshots().size() - expired.size());
                }
                expire.commit();
                TableMetadata after = ops.refresh();
                return deleteUnreachable(table, before, after, expired.size(), tags);
            } catch (CommitFailedException e) {
                if (attempt == COMMIT_ATTEMPTS) {
                    return new ExpiryResult(0, 0, 0, tags[0], tags[1], before.snapshots().size());
                }
            }
        }
    }

    /**
     * Deletes the files the snapshots reached before the expiry and reach no more: exactly the files
     * only expired snapshots referenced. A file committed meanwhile is in neither set or in
     * {@code after}, so it is never a candidate; nothing re-references a file once unreachable.
     */
    private static ExpiryResult deleteUnreachable(Table table, TableMetadata before, TableMetadata after, int expired, int[] tags) {
        Set<String> gone = new HashSet<>(OrphanFiles.referencedBySnapshots(before, table.io()));
        gone.removeAll(OrphanFiles.referencedBySnapshots(after, table.io()));
        String root = OrphanFiles.normalize(table.location());
        int dataFiles = 0;
        int otherFiles = 0;
        for (String location : gone) {
            if (!location.startsWith(root + "/")) {
                continue; // never outside the table's own folder
            }
            table.io().deleteFile(location);
            if (location.endsWith(".parquet")) {
                dataFiles++;
            } else {
                otherFiles++;
            }
        }
        return new ExpiryResult(expired, dataFiles, otherFiles, tags[0], tags[1], after.snapshots().size());
    }

    /**
     * How many snapshots of the current ancestry, newest first, must stay so that the snapshot
     * whose offsets map counts stays: by count, not by time, so no clock skew between a worker and
     * a maintainer can expire it.
     */
    static int protectedCount(Table table) {
        Optional<Snapshot> truth = SnapshotOffsets.newestWithOffsets(table);
        if (truth.isEmpty()) {
            return 1;
        }
        int position = 1;
        for (Snapshot s = table.currentSnapshot(); s != null && s.snapshotId() != truth.get().snapshotId();
                s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
            position++;
        }
        return position;
    }

    /**
     * Points each hour's tag at the newest snapshot of that hour among those about to leave the
     * keep-all window, and removes tags older than the retention. One metadata commit; returns
     * {created, removed}.
     */
    private static int[] updateHourlyTags(Table table, Duration keepAll, Duration retention, Instant now) {
        for (int attempt = 1; ; attempt++) {
            table.refresh();
            long leaving = now.minus(keepAll).toEpochMilli();
            // Hours that start inside the retention get a point: a retention of 0 keeps none.
            Instant oldestHour = now.minus(retention);
            Map<String, Snapshot> newestOfHour = new HashMap<>();
            for (Snapshot s = table.currentSnapshot(); s != null; s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
                Instant at = Instant.ofEpochMilli(s.timestampMillis());
                if (s.timestampMillis() >= leaving) {
                    continue;
                }
                if (at.truncatedTo(ChronoUnit.HOURS).isBefore(oldestHour)) {
                    break;
                }
                newestOfHour.merge(TAG_PREFIX + HOUR.format(at), s, (a, b) -> a.timestampMillis() >= b.timestampMillis() ? a : b);
            }
            Map<String, SnapshotRef> refs = table.refs();
            ManageSnapshots manage = table.manageSnapshots();
            int created = 0;
            int removed = 0;
            for (Map.Entry<String, Snapshot> e : newestOfHour.entrySet()) {
                SnapshotRef existing = refs.get(e.getKey());
                if (existing == null) {
                    manage.createTag(e.getKey(), e.getValue().snapshotId());
                    created++;
                } else if (existing.isTag() && existing.snapshotId() != e.getValue().snapshotId()
                        && table.snapshot(existing.snapshotId()) != null
                        && table.snapshot(existing.snapshotId()).timestampMillis() < e.getValue().timestampMillis()) {
                    manage.replaceTag(e.getKey(), e.getValue().snapshotId());
                }
            }
            // The first hour starting at or after the retention's start.
            Instant firstHourKept = oldestHour.truncatedTo(ChronoUnit.HOURS).equals(oldestHour) ? oldestHour
                    : oldestHour.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
            String oldestKept = TAG_PREFIX + HOUR.format(firstHourKept);
            List<String> stale = new ArrayList<>();
            refs.forEach((name, ref) -> {
                if (ref.isTag() && name.startsWith(TAG_PREFIX) && name.compareTo(oldestKept) < 0) {
                    stale.add(name);
                }
            });
            stale.forEach(manage::removeTag);
            removed = stale.size();
            if (created == 0 && removed == 0 && newestOfHour.entrySet().stream().allMatch(e -> refs.containsKey(e.getKey())
                    && refs.get(e.getKey()).snapshotId() == e.getValue().snapshotId())) {
                return new int[] {0, 0};
            }
            try {
                manage.commit();
                return new int[] {created, removed};
            } catch (CommitFailedException e) {
                if (attempt == COMMIT_ATTEMPTS) {
                    return new int[] {0, 0};
                }
            }
        }
    }
}
