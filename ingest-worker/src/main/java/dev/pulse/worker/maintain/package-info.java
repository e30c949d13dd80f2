/**
 * Lake maintenance: keeps every dataset table's metadata, snapshot count and file count bounded
 * while ingestion runs, with Iceberg core only (no Spark).
 *
 * <h2>What runs</h2>
 * <ol>
 *   <li><b>Table properties</b> ({@code schemas.lake.DatasetTableProperties}): old metadata files
 *       deleted after each commit, at most 10 kept; manifests merged once 16 pile up. New tables get
 *       them at creation; an older table gets them at its first maintenance run.</li>
 *   <li><b>Compaction</b> ({@link dev.pulse.worker.maintain.Compaction}): a partition's small files
 *       become files near {@code PULSE_COMPACTION_TARGET_FILE_BYTES}, size-tiered, in one
 *       {@code RewriteFiles} commit validated from the snapshot it planned on.</li>
 *   <li><b>Snapshot expiry</b> ({@link dev.pulse.worker.maintain.SnapshotExpiry}): every snapshot of
 *       the last {@code PULSE_SNAPSHOT_KEEP_ALL}, then one tagged point per hour for the tenant's
 *       retention; files only expired snapshots referenced are deleted.</li>
 *   <li><b>Lost commit attempts</b> ({@link dev.pulse.worker.maintain.LostCommitAttempts}): the
 *       metadata file a commit wrote before losing the swap to another, at every visit; only files
 *       numbered at or below the current version, which can never become current.</li>
 *   <li><b>Orphan files</b> ({@link dev.pulse.worker.maintain.OrphanFiles}): files in the table's
 *       folder nothing references, older than {@code PULSE_ORPHAN_MIN_AGE}, every
 *       {@code PULSE_ORPHAN_SCAN_INTERVAL}.</li>
 * </ol>
 *
 * <h2>The exactly-once truth survives maintenance</h2>
 * A compaction snapshot copies the offsets map of the snapshot it lands on and names that snapshot
 * ({@code pulse.kafka.offsets-of}); the worker's lookup counts such a map only when that name is the
 * snapshot's own parent, and walks past it otherwise (a compaction that raced an append). Expiry
 * always keeps the newest snapshot whose map counts, and everything after it (by position in the
 * ancestry, not by time). A rewrite changes no row, so the stale-worker guard and the lost-commit
 * check read the same offsets before and after it. The protocol notes of {@code dev.pulse.worker}
 * say the same from the worker's side.
 *
 * <h2>Who maintains</h2>
 * Each worker maintains the tables of the tenants whose raw topic's partition 0 it owns
 * ({@link dev.pulse.worker.maintain.MaintenanceScheduler}); operators run
 * {@code pulse lake maintain}. One table is never maintained twice at once: the run holds the
 * table's {@code pulse.dataset_maintenance} row {@code FOR UPDATE SKIP LOCKED} (under RLS for the
 * tenant) until it is done ({@link dev.pulse.worker.maintain.MaintenanceState}), and records there
 * what it last did, which {@code pulse dataset show} reports. Even without the lock two runs could
 * not corrupt a table: every change is an Iceberg commit (compare-and-swap on the metadata
 * location), and a rewrite whose inputs vanished fails validation.
 */
package dev.pulse.worker.maintain;
