/**
 * The ingest worker: reads every tenant's raw topic, validates each event against its dataset's
 * schema, lands valid rows in the tenant's Iceberg table exactly once and sends the rest, with
 * the reason, to the tenant's dead-letter topic.
 *
 * <h2>Exactly once, Kafka to Iceberg</h2>
 *
 * <p><b>The tables are the truth about rows.</b> Every table commit stores in its snapshot summary
 * the Kafka offsets it covers ({@code pulse.kafka.offsets}: next offset per topic/partition, merged
 * with the map of the snapshot it lands on, so the newest snapshot holds the whole map; plus this commit's
 * own ranges in {@code pulse.kafka.commit}). The append and the offsets land in one atomic
 * catalog swap, so a table can never hold rows without the offsets that say so, or the reverse.
 *
 * <p><b>The group offset is the truth about the DLQ.</b> DLQ records and the consumer-group
 * offsets of a batch are written in one Kafka transaction (EOS v2:
 * {@code sendOffsetsToTransaction} with the consumer's group metadata, so a worker whose group
 * generation is stale is fenced). A record below the committed group offset is therefore in a
 * table or in the DLQ: it is handled — as long as the catalog keeps the table commits it
 * acknowledged (below: lost commits).
 *
 * <p><b>Each group offset says what it relies on.</b> Its metadata string (written in the same
 * transaction, {@code consume.TableClaims}: {@code pulse1:{"<table>": next offset}}) names, per
 * table this partition fed, the next offset that table held for the partition when the group
 * offset moved, carried forward from offset to offset (the larger claim wins).
 *
 * <p><b>Plan, then commit.</b> Each poll is one batch ({@code consume.IngestLoop}). It is first
 * planned ({@code consume.BatchPlanner} → {@code consume.BatchPlan}): each record routed to its
 * table's rows or its tenant's dead letters, what is handled already skipped, each partition's
 * next group offset noted, paused and failing tenants set aside. Planning writes nothing; its only
 * I/O is the dataset lookups. Then the plan is committed ({@code IngestLoop.commit}), in this
 * order.
 *
 * <p><b>Commit order per batch:</b> event-id claims (one per table, {@code dedup.EventIdClaims})
 * → data files → table commit (one per table) → ledger and
 * dataset stats in the tenant's RLS transaction ({@code IngestLoop.commitTable}) → Kafka
 * transaction (DLQ + offsets, {@code consume.KafkaCommit}; it also carries the batch's usage
 * records: dead letters by error code, and "rows landed" per table commit, re-sent after a crash
 * from the tables' snapshots when a partition is positioned, {@code consume.LandedUsage} and
 * {@code usage}). {@code consume.CrashPoint} names the
 * moments in between; the crash tests kill the loop there through the {@code consume.CrashPoints}
 * hook (a no-op in production). A crash between any two leaves: orphan files (harmless); tables ahead of the group offset (the records
 * are re-read and skipped per table, the DLQ records re-sent once, the open transaction aborted
 * by the successor with the same transactional id or by the broker's transaction timeout); a
 * ledger behind the tables (repaired by reconciliation, below).
 *
 * <p><b>Deduplication by event id</b> ({@code dedup}). Before a table's rows of a batch are
 * written, their event ids are claimed in {@code pulse.event_ids} (tenant, dataset, id → the
 * raw-topic partition and offset of the first record that claimed it), in the tenant's RLS
 * transaction, committed at once. A row is kept iff the claim of its id names the row's own
 * position; every other row with that id is a duplicate and is skipped: not written, not
 * dead-lettered, its offset simply covered by the group offset like a handled record. Because the
 * claim is keyed by position, a crash anywhere after it (crash point
 * {@code AFTER_EVENT_IDS_CLAIMED} and all the later ones) is harmless: the re-read batch claims
 * the same positions again and keeps the same rows; the tables' stored offsets still skip what a
 * table already holds before any claim is made. A record the router dead-letters claims nothing,
 * and a row the Parquet writer refuses gives its claim back, so a dead letter's replay (a new
 * record, new position) or a corrected resend still lands. Healing re-lands rows at their old
 * positions, which still hold their claims. A claim older than {@code PULSE_DEDUP_WINDOW} is taken
 * over by the next record of its id; expired claims are pruned in bounded chunks.
 *
 * <p><b>Where a partition resumes</b> ({@code consume.Repositioning}, on every assignment and after
 * an abandoned batch or aborted transaction): at the committed group offset, else at the beginning
 * of the partition. While reading, a record is skipped when it is below the group offset
 * (handled), or when it is bound for a table whose stored next offset is above it (the table
 * holds it). So the tables decide, record by record, what is never written again; the group
 * offset only decides where reading starts ({@code consume.PartitionProgress} keeps, per assigned
 * partition, the group offset, its claims and any healing, for the planner). Deliberately not "seek to the tables' smallest
 * stored offset": a table knows only its own rows, and the records before its offset may have
 * been bound for the DLQ in a batch whose Kafka transaction died with the process; starting
 * there would lose them (the crash tests catch exactly this). And not {@code min(group offset,
 * tables)}: a table that rarely gets rows would drag the start back by millions of records, and
 * a record below the group offset that went to the DLQ because its dataset did not exist yet must
 * not land in a table created since. Without a group offset (a new group name, expired offsets)
 * the DLQ may receive entries again; rows are never written twice.
 *
 * <p><b>Unless a table lost a commit.</b> A catalog can lose commits it acknowledged (a failover
 * to an asynchronous replica, a restore from backup, a database running without fsync), after
 * the group offset moved past their records; trusting the group offset would skip those rows for
 * good. So on every assignment each claim of the group offset's metadata is checked against the
 * table: when the table's stored next offset for the partition is below the claim, the table lost
 * rows, and the partition is read again from the smallest such table's stored offset ("healing",
 * up to the group offset; {@code Repositioning.resumeAt}). Below the group offset, only rows bound for a table that lost rows are
 * landed (and each table's stored offset still skips what it holds: rows exactly once); rows bound
 * for other tables are skipped (they are there, or they went to the DLQ); dead letters of that
 * stretch are sent once more (at most one repeat, recognisable by the same
 * {@code pulse-source-topic/partition/offset}). While healing, the committed group offset stays
 * where it was and the claims keep their larger value, so a crash mid-healing heals again. A
 * running worker notices the same loss at its next commit to the table: the table must hold each
 * partition at least up to what this worker saw it hold, or the batch is abandoned and the
 * partition re-sought, which heals. Not lost: a partition whose newest map is below the claim
 * while its commit up to the claim is still in the table's ancestry (a map taken back by the race
 * described under "Several workers, one table", left by a worker before it was fixed). Only on such a
 * gap, the ancestry is walked back to the partition's newest commit ({@code lake.SnapshotOffsets.heldThrough});
 * a commit the catalog lost is gone from the ancestry, so it still counts as lost, and the next
 * commit's map holds the partition's right offset again. Rows whose records Kafka no longer holds cannot come back:
 * the log says which offsets. Claims are bounded by the broker's {@code offset.metadata.max.bytes}
 * (4 KiB): beyond ~3.5 KB the tables this partition fed longest ago drop out of the check.
 *
 * <p><b>Offsets a hung transaction holds.</b> A read_committed consumer asks for <em>stable</em>
 * offsets, which the broker withholds while a transaction that wrote offsets is open. The worker
 * initialises its transactional producer (fencing its predecessor, so the broker completes or
 * aborts the open transaction) before its consumer joins the group, and waits at most 15 s for
 * stable offsets; if a transaction never completes on the broker, it resumes from the last
 * completed offsets instead (rows are skipped per table, dead letters of the hung transaction may
 * repeat once) and says so in the log, rather than failing every assignment forever.
 *
 * <p><b>Membership.</b> The consumer is a dynamic member of the classic group protocol, on
 * purpose not a static one ({@code group.instance.id}): a static member that rejoins a Stable
 * group is handed its cached assignment without a rebalance, so a tenant's topic created in the
 * meantime was never assigned to anyone, restart after restart (DevCrashIT caught it: one
 * tenant's events never landed). A killed worker's member is dropped after the session timeout
 * ({@code PULSE_WORKER_SESSION_TIMEOUT_MS}: 10 s by default, 6 s under {@code pulse dev}, the
 * broker's {@code group.min.session.timeout.ms}); its successor then gets the partitions. A clean
 * stop leaves the group at once. The transactional id stays stable per replica
 * ({@code PULSE_WORKER_INSTANCE_ID}), so a restarted replica still fences its predecessor's open
 * transaction immediately.
 *
 * <p><b>The stale-worker guard:</b> right before each table commit the table is refreshed and
 * its stored next offset for every partition of the batch must be at most the batch's first
 * offset for that partition; otherwise someone else committed those records, the batch is
 * abandoned and every assigned partition re-sought. Dataset tables have
 * {@code commit.retry.num-retries=0}, so a commit racing ours fails with
 * {@code CommitFailedException} instead of being silently re-applied, and the guard runs again.
 *
 * <p><b>Several workers, one table.</b> A tenant's partitions are spread over the group, so its
 * tables get commits from several workers at once, each carrying the whole offsets map. A commit
 * must therefore land on the very snapshot its map (and its guard) was computed from
 * ({@code lake.TableCommitter}: an Iceberg {@code SnapshotAncestryValidator} on the append). Iceberg
 * refreshes the table once more when it applies an append, even with retries off, and builds on
 * whatever is current then; without this check, another worker's commit landing between our
 * refresh and our append had its partitions taken back in the newest map, and the next check of
 * the claims (below) took the rows for lost and landed them again: duplicates, 1 to ~30 per run
 * of the Docker broker-kill test ({@code SharedTableIT} reproduces it in process: three workers,
 * one table, a leave, a join and a kill while events flow). A commit landing in between now fails
 * the attempt, which starts over from a fresh refresh: guard, map and all.
 *
 * <p><b>Lake maintenance beside the loop</b> ({@code maintain}). A compaction snapshot (Iceberg
 * {@code replace}) carries the offsets map forward: it copies the map of the snapshot it commits
 * on top of and names that snapshot in {@code pulse.kafka.offsets-of}. The lookup
 * ({@code lake.SnapshotOffsets.newestWithOffsets}) counts a map when the worker committed it, or
 * when its {@code offsets-of} is the snapshot's own parent; a compaction that raced an append
 * landed on another parent than the one it copied from, so its (possibly stale) map is walked past
 * and the append's map counts. Either way the newest counting map is the table's truth, and a
 * rewrite changes no row, so the stale-worker guard and the lost-commit check are unaffected.
 * The worker's appends and a compaction never conflict (the rewrite is validated from its planning
 * snapshot; appends add other files); a commit that loses the race to the other fails with
 * {@code CommitFailedException} (no automatic retries on dataset tables) and its author retries
 * on top (the worker's guard runs again first). Snapshot expiry never expires the snapshot whose
 * map counts, nor anything after it in the ancestry (counted by position, not by clock), so the
 * truth survives every expiry.
 *
 * <p><b>Ledger:</b> after each table commit the worker inserts one {@code pulse.ingest_commits}
 * row per partition (idempotent) and updates the dataset's stats, under RLS for the topic's
 * tenant. On every assignment ({@code consume.LedgerReconciliation}, called by
 * {@code Repositioning} before it seeks) it repairs the tenant's ledgers, reading only what it
 * needs ({@code lake.CommitLedger.reconcile}): per partition of a table's offsets map, the
 * ledger's newest next offset (one index probe); only for a partition the table holds further
 * does it walk the ancestry newest first, inserting the missing commits, and it stops at that
 * partition's newest recorded commit. A crash leaves at most the dead worker's last commits
 * unrecorded, so the walk is as long as the commits since then, whatever the table's age
 * ({@code BoundedReconciliationIT}: the same snapshots read at 10 and 5,000). This rests on the
 * ledger having no gap behind a partition's newest row: a ledger write that fails stops the
 * worker, and a table whose repair failed on assignment is repaired before the next commit to it.
 * {@code row_count} is reset to the current snapshot's {@code total-records}, read under the
 * dataset row's lock that recording a commit takes too, so with several workers on one table a
 * reconciliation never takes another worker's recorded rows back out of the count. The other reads of
 * the history are bounded too: the offsets map ({@code SnapshotOffsets.stored}, used by the
 * guard, the claims check and healing) is the newest map, past at most the maintenance snapshots
 * on top; the commit guard looks for its own snapshot only among those since its first attempt.
 * The ledger grows one row per commit and partition; lake maintenance prunes the rows of expired
 * snapshots ({@code CommitLedger.pruneExpired}, keeping each partition's newest row).
 *
 * <p><b>Freshness watermark</b> ({@code consume.Freshness}, {@code consume.WatermarkWriter}).
 * Per assigned partition the worker knows an instant T such that every record Kafka acknowledged
 * on it before T is in a table or the DLQ. It rests on one invariant of the loop: between
 * batches, every record below the position of a partition that is not paused is committed (a
 * batch commits whole before the next poll, except the background batches below, whose
 * partitions stay paused until they have; a held-back tenant's partitions are sought back and paused; an
 * aborted batch re-seeks). So when a poll returns records for a partition, T = the
 * smallest of their timestamps - 1 ms (the producer stamps a record before the broker appends and
 * acknowledges it, so a record acknowledged before that lies before them in the log); and at most
 * once a second, for the partitions that are not paused, the log end is read (high watermark,
 * read_uncommitted, so records behind an open replay transaction count as unread) at an instant F
 * taken first, and a partition whose position reached it gets T = F. A paused tenant or failing
 * table therefore stays before its first uncommitted record. Each value only rises, in memory and
 * in {@code pulse.ingest_watermarks} (written by a thread of its own, once a second per tenant
 * whose value moved, through the tenant door, with {@code greatest}); a partition's new owner
 * starts from what it sees and never lowers the stored value. A tenant's datasets are complete
 * through the smallest watermark of its topic's partitions, unknown while one has none
 * ({@code schemas.freshness.IngestWatermarks}); readers read it before the table they show it
 * with. Not covered: an event whose POST got its 202 after T although its {@code received_at} is
 * before T (the produce latency, milliseconds), rows a catalog lost (healing re-lands them), and
 * clocks that disagree between the ingest-api's and the broker's hosts.
 *
 * <p><b>Fair share between tenants</b> ({@code consume.FairPoll}, {@code consume.TenantSubscription}).
 * A consumer hands out fetched records in the order the fetches arrived, so a flooding tenant's
 * buffered megabytes used to fill poll after poll while a quiet tenant's record waited behind
 * them (18× its unloaded freshness). A full poll is now topped up: every partition of each tenant
 * it served is paused and the consumer asked again with {@code poll(0)} (up to four polls), so a
 * batch holds every tenant that had records waiting; the partitions are resumed before the batch
 * is planned, so the freshness invariant above holds unchanged (nothing stays paused between
 * batches but a failing tenant's). A rebalance completing inside one of these polls gives the
 * whole batch back (partitions sought to its first records) rather than mixing generations. Such
 * a poll is then processed as two batches ({@code consume.LightFirst}): first the light tenants'
 * records (each holding at most a tenth of the poll), then the heavy ones'; each is a whole batch
 * of this protocol (plan, tables, ledger, its own Kafka transaction; a tenant's partitions always
 * in the same one), and when the first ends by seeking every partition back the second is not
 * processed (its records are read again). Between the two, the heavy tenants' records are below
 * their partitions' positions but not committed: the freshness step runs only after both. Within a
 * batch the tables commit at once, up to {@code PULSE_WORKER_COMMIT_THREADS} ({@code consume.TableCommits};
 * fewest rows first when there are more): a table's rows are visible at its own commit; any order
 * is safe, since table commits are independent and the Kafka transaction follows them all.
 *
 * <p><b>Background batches.</b> The last batch of a poll (the heavy tenants', or the only one) is
 * divided by tenant, and each tenant's part commits its tables on threads of their own while the
 * loop goes on: every assigned partition of the tenant is paused first (and any partition of it
 * assigned meanwhile), so what the loop polls meanwhile belongs to other tenants only; those
 * batches are planned and committed whole on the loop's thread, or go to the background in turn,
 * while the flood's Parquet files are written. Polls are short (20 ms) while any runs; once a
 * tenant's tables are done the loop finishes its batch as any batch (its Kafka transaction with
 * its dead letters and offsets, pauses if it failed) and resumes its partitions, so each tenant
 * reads on as soon as its own commit is done. A tenant has at most one batch in flight. All are
 * finished before anything could cross them: before a revocation (in the rebalance callback,
 * Kafka's own advice: commit while the partitions are still yours), before every partition is
 * sought back after an abandoned batch, and at a clean stop; a paused tenant whose retry falls due
 * meanwhile waits for its batch. Exactly once is unchanged because the batches in flight at once
 * never share a tenant (so never a partition, table, claim or group offset), each batch's Kafka
 * transaction still follows its own tables, and a crash in the middle leaves what a crash of the
 * one-batch loop leaves: some tables committed and their Kafka transactions not (the crash tests
 * kill a background table at each crash point). A worker group reads
 * the tenants {@code PULSE_WORKER_TENANTS} names ({@code all} by pattern; {@code shared} or
 * {@code enterprise} by the tier on each tenant's own row, read under RLS bound to it, then a
 * subscription by topic names refreshed each second): seed 001's bridge model, a dedicated
 * consumer group, its own transactional ids ({@code pulse-worker.<group>.<instance>}) and its own
 * maintenance for enterprise tenants, with no change per tenant. The groups must not overlap (a
 * tenant read by two groups would have two writers: the stale-worker guard keeps the rows exactly
 * once, but both would fight over the table); {@code shared} and {@code enterprise} split by tier,
 * so they never do.
 *
 * <p><b>DLQ replay</b> ({@code dlq.DlqReplay}): DLQ records go back to the raw topic in one
 * transaction with the replay group's DLQ offsets, so each is replayed once per run even across
 * crashes; a record that fails again returns with {@code pulse-attempt} + 1. Replayed records are
 * new raw records: the worker treats them as new events (exactly once per Kafka record).
 *
 * <h2>Failure policy: no input can stop the pipeline</h2>
 *
 * <p>Every failure belongs to one of three owners, and only its owner waits.
 *
 * <p><b>One record's</b> (a dead letter, the batch goes on). Each stage turns its failure into a
 * {@code dlq.DeadLetter} value with a code, a message and a stage ({@code pulse-error-stage}):
 * {@code decode} (not an envelope), {@code tenant} (header disagrees with the topic),
 * {@code dataset} (no such dataset, or its table is missing), {@code validate} (the data breaks
 * the schema's structure or one of its validation keywords — checked after the structure, with the
 * schema compiled once per tenant and version, {@code consume.CompiledSchemas}; its patterns run in
 * linear time, so no tenant's regex can hold up the loop — or holds a value the lake cannot store faithfully: an instant outside years
 * 0000–9999, a lone surrogate; see {@code schemas.event.LakeValues}; or the converter failed
 * unexpectedly: {@code conversion-failed}) and {@code write} ({@code unwritable-value}). The write
 * stage is two steps. First, before a row is accepted for a table, {@code lake.RowPreparer}
 * checks every value against its column (Java type, range, microsecond precision, well-formed
 * text) and computes the row's partition: a row that fails is a dead letter, decided in the
 * router, so it is dead-lettered again if the batch is re-read. Second, should the Parquet writer
 * still refuse a row, {@code lake.TableWriter} deletes every file of that table's write (a row
 * half-buffered leaves a file in an unknown state), sets the row aside as a dead letter and writes
 * the rest again. (That second net can, in one narrow window, lose a dead letter: if the process
 * dies after the table commit and before the Kafka transaction, the re-read record is bound for a
 * table whose offsets cover it and is skipped. It needs a defect of the first check and a crash
 * at that moment.)
 *
 * <p><b>One table's, so its tenant's</b> (the tenant waits, the others flow). A table whose
 * metadata is missing, unreadable or corrupt, whose commit is refused after the retries, or whose
 * data files cannot be written: none of the tenant's records of the batch is committed (neither
 * rows, nor dead letters, nor offsets, so nothing is produced twice when they are read again); its
 * partitions are sought back to the batch's first record and paused; the worker logs it and
 * writes {@code pulse.ingest_status} under RLS for the tenant ({@code pulse tenant show},
 * {@code pulse doctor}); the partitions are resumed after {@code PULSE_WORKER_TENANT_BACKOFF_MS},
 * doubling with each failure in a row up to {@code PULSE_WORKER_TENANT_BACKOFF_MAX_MS}; the first
 * batch of the tenant that goes through clears the status. Other tenants' tables of the same batch
 * commit as usual, and their offsets and dead letters go in the batch's Kafka transaction. A
 * tenant's partition newly assigned while the tenant waits is held back the same way.
 * Reconciliation on assignment skips (and logs) a table it cannot load.
 *
 * <p><b>The infrastructure's</b> (the batch stops). Pulse's PostgreSQL, the catalog's database and
 * the broker ({@code consume.Failures}): retried where retryable, a bounded number of times; then
 * the loop stops and {@code pulse worker} exits 1 for its supervisor. These are the only failures
 * that stop every tenant, because they stop every tenant anyway. A PostgreSQL outage longer than
 * the retries (README, "PostgreSQL unavailable") stops the loop before the batch's Kafka
 * transaction, so the group's offsets never pass a record that has not landed; the restarted
 * worker ({@code pulse dev}'s supervisor tries every 5 s until a start succeeds) resumes each
 * partition from its table's offsets map, as after a crash ({@code PostgresOutageIT} in cli).
 *
 * <p><b>Tenancy:</b> a record's tenant is its topic's. A record whose {@code pulse-tenant-id}
 * header is missing or different goes to the topic tenant's DLQ; a topic that matches the
 * pattern but names no canonical tenant id is paused and never read.
 */
package dev.pulse.worker;
