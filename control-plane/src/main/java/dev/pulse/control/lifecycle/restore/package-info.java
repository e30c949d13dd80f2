/**
 * {@code pulse tenant restore}: roll one tenant's tables back to a retained point in their
 * history, and re-ingest what came after from the raw topic, minus a bad batch.
 *
 * <h2>Why not a plain rollback</h2>
 *
 * <p>The worker's exactly-once protocol ({@code dev.pulse.worker} package documentation) rests on
 * the table's newest counting offsets map ({@code pulse.kafka.offsets}) never going backwards: a
 * table whose stored offset falls below what the worker saw, or below its group offset's claims,
 * is taken for a catalog that lost commits, and the worker <em>heals</em> it by reading the raw
 * topic again from there and landing every row, bad batch included. Iceberg's
 * {@code rollback().toSnapshotId()} / {@code setCurrentSnapshot} would do exactly that, and a
 * running worker's stale-worker guard would also see its view of the table move under it.
 *
 * <h2>What a restore commits instead</h2>
 *
 * <p>A new snapshot ({@code overwrite}) on top of the current one ({@link TenantRestore}): its data
 * files are the target snapshot's (files added since are removed, files compaction replaced since
 * are added back; they still exist because the target is retained), and its summary carries the
 * current offsets map forward with {@code pulse.kafka.offsets-of} naming its parent, the rule by
 * which the worker counts a map it did not write (as a compaction snapshot does). To the worker the
 * table still holds every record up to the same offsets: nothing is re-read, nothing healed, new
 * events land on top. The commit is validated from the snapshot it was planned on (a worker append
 * in between fails it; dataset tables have no automatic commit retries, so it never rebases
 * silently) and planned again; it holds the table's maintenance lock, so compaction and expiry
 * wait. The summary also records {@code pulse.restore.target-snapshot} and the target's offsets:
 * the job's state, committed atomically with the data, which a re-run reads to finish instead of
 * restoring twice.
 *
 * <h2>Dedup claims</h2>
 *
 * <p>Each landed row holds a claim of its event id in {@code pulse.event_ids} naming its raw
 * position. After the commit, the claims positioned in the removed range [target offsets, cut
 * offsets) of the dataset are deleted (idempotent; a crash before it is finished by the re-run),
 * so a re-ingested copy of a removed event lands instead of being skipped as a duplicate, while
 * events still in the table keep theirs.
 *
 * <h2>Re-ingest</h2>
 *
 * <p>{@link Reingest}: the removed rows' raw records, still in the raw topic, are sent again as new
 * records, in Kafka transactions that also commit the run's progress, minus the operator's
 * {@link ReingestSkip}. Run: {@code pulse tenant restore <slug> --to T --reingest [--skip-…]}.
 */
package dev.pulse.control.lifecycle.restore;
