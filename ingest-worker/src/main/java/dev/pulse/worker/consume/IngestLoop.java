package dev.pulse.worker.consume;

import dev.pulse.schemas.directory.IngestStatus;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.dedup.ClaimResult;
import dev.pulse.worker.dedup.EventIdClaims;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.dlq.ErrorCode;
import dev.pulse.worker.lake.CommitLedger;
import dev.pulse.worker.lake.LakeRow;
import dev.pulse.worker.lake.RejectedRow;
import dev.pulse.worker.lake.StaleBatchException;
import dev.pulse.worker.lake.TableCommitResult;
import dev.pulse.worker.lake.TableCommitter;
import dev.pulse.worker.lake.TableWriteResult;
import dev.pulse.worker.lake.TableWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume → validate → commit loop. A poll is one or two batches ({@link LightFirst}), each
 * first planned ({@link BatchPlanner}: where each record goes, nothing written), then committed
 * in the protocol's order: tables (at once, {@link TableCommits}), then the ledger, then one Kafka
 * transaction with the DLQ records and the group offsets ({@link KafkaCommit}). The last batch of
 * a poll commits its tables in the background, one batch per tenant, each tenant's partitions
 * paused, while the loop polls and commits the other tenants' records; each is finished on the
 * loop's thread. Rebalance callbacks only run inside {@code poll}, so they never see a batch being
 * planned; they finish the background batches before partitions move. See the package documentation of
 * {@code dev.pulse.worker} for the protocol.
 */
public final class IngestLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestLoop.class);
    /** The poll timeout while batches commit in the background. */
    static final Duration BACKGROUND_POLL = Duration.ofMillis(20);

    private final Consumer<byte[], byte[]> consumer;
    private final TenantDatabase db;
    private final Catalog catalog;
    private final RetryPolicy retry;
    private final Duration pollTimeout;
    private final CrashPoints crashPoints;
    private final CommitLedger ledger;
    private final EventIdClaims eventIds;
    private final RecordRouter router = new RecordRouter();
    private final TenantPauses pauses;
    /** Tenants whose {@code pulse.ingest_status} this worker knows to be empty. */
    private final Set<TenantId> statusClear = new HashSet<>();
    private final PartitionProgress progress = new PartitionProgress();
    private final BatchPlanner planner;
    private final KafkaCommit kafkaCommit;
    /** Usage "rows landed" of table commits, sent in the next Kafka transaction (and recovered on positioning). */
    private final LandedUsage landed = new LandedUsage();
    private final Repositioning repositioning;
    /** Tenants whose raw topic's partition 0 is assigned here: this worker maintains their tables. */
    private final Set<TenantId> firstPartitionOwned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final LedgerReconciliation reconciliation;
    private final Freshness freshness;
    private final FairPoll fairPoll;
    private final TenantSubscription subscription;
    private final Rebalance rebalance = new Rebalance();
    /** The commit threads of the batches committed on the loop's thread, and those of the background batches. */
    private final TableCommits tableCommits;
    private final TableCommits backgroundCommits;
    private final LoopMetrics metrics;
    private volatile boolean stopping;
    /** True while a batch is planned and committed on the loop's thread (never across a poll). */
    private boolean inFlight;
    /**
     * Per tenant, its batch whose tables are committing in the background while the loop serves
     * the other tenants: at most one per tenant, whose partitions are paused until it is finished
     * ({@link #finishBackground}).
     */
    private final Map<TenantId, Background> background = new java.util.LinkedHashMap<>();

    public IngestLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, TenantDatabase db, Catalog catalog,
            RetryPolicy retry, Duration pollTimeout, CrashPoints crashPoints, CommittedOffsets committedOffsets,
            TenantBackoff tenantBackoff, LogEnds logEnds, EventIdClaims eventIds, Fairness fairness, LoopMetrics metrics) {
        this.metrics = metrics;
        this.consumer = consumer;
        this.db = db;
        this.catalog = catalog;
        this.retry = retry;
        this.pollTimeout = pollTimeout;
        this.crashPoints = crashPoints;
        this.ledger = new CommitLedger(db, retry);
        this.eventIds = eventIds;
        this.pauses = new TenantPauses(tenantBackoff.first(), tenantBackoff.max());
        this.planner = new BatchPlanner(progress, pauses);
        this.kafkaCommit = new KafkaCommit(consumer, producer, progress, crashPoints, landed);
        this.freshness = new Freshness(consumer, logEnds);
        this.reconciliation = new LedgerReconciliation(db, catalog, retry, ledger);
        this.repositioning = new Repositioning(consumer, catalog, committedOffsets, reconciliation, progress, landed);
        this.fairPoll = new FairPoll(consumer, fairness.maxPollRecords());
        this.subscription = new TenantSubscription(fairness.tenants(), db, retry);
        this.tableCommits = new TableCommits(fairness.commitThreads());
        this.backgroundCommits = new TableCommits(fairness.commitThreads());
    }

    /**
     * How the loop shares itself between tenants: the consumer's {@code max.poll.records} (a full
     * poll is topped up with the other tenants' buffered records, {@link FairPoll}) and which
     * tenants this worker group reads ({@link WorkerTenants}), and how many of a batch's tables are
     * written and committed at once ({@link TableCommits}): a quiet tenant's small commit runs beside
     * a flooding tenant's, not after it.
     */
    public record Fairness(int maxPollRecords, WorkerTenants tenants, int commitThreads) {
    }

    /** How long a tenant whose table keeps failing waits before the next try: {@code first}, doubling, at most {@code max}. */
    public record TenantBackoff(Duration first, Duration max) {
    }

    @Override
    public void run() {
        boolean clean = false;
        try {
            loop();
            clean = true;
        } finally {
            if (clean) {
                finishAllBackground(); // a clean stop commits the batches in flight
            }
            tableCommits.close();
            backgroundCommits.close();
        }
    }

    private void loop() {
        while (!stopping) {
            try {
                if (!subscription.refresh(consumer, rebalance, Instant.now())) {
                    finishAllBackground();
                    idle();
                    continue;
                }
                resumeDueTenants();
                // While batches commit in the background, poll briefly and often: their end is noticed within one such poll.
                ConsumerRecords<byte[], byte[]> records = fairPoll.poll(background.isEmpty() ? pollTimeout : BACKGROUND_POLL);
                if (!records.isEmpty()) {
                    freshness.polled(records);
                    List<ConsumerRecords<byte[], byte[]>> batches = LightFirst.split(records);
                    for (int i = 0; i < batches.size(); i++) {
                        if (!processBatch(batches.get(i), i == batches.size() - 1)) {
                            break; // every partition was sought back: the rest is read again
                        }
                    }
                }
                finishDoneBackground();
                freshness.betweenBatches(Instant.now());
            } catch (WakeupException e) {
                if (!stopping) {
                    throw e;
                }
            }
        }
    }

    /** No tenant to read yet (a dedicated group before its first tenant): wait a poll's time, or until stopped. */
    private void idle() {
        java.util.concurrent.locks.LockSupport.parkNanos(pollTimeout.toNanos());
    }

    /**
     * The tenants whose tables this worker maintains: those whose raw topic's partition 0 it owns
     * (one owner per tenant in the group; callable from any thread).
     */
    public Set<TenantId> tenantsToMaintain() {
        return Set.copyOf(firstPartitionOwned);
    }

    private void trackFirstPartitions(Collection<TopicPartition> partitions, boolean assigned) {
        for (TopicPartition tp : partitions) {
            if (tp.partition() == 0) {
                Topics.tenantOf(tp.topic()).ifPresent(assigned ? firstPartitionOwned::add : firstPartitionOwned::remove);
            }
        }
    }

    /** The loop's freshness watermarks, for the {@link WatermarkWriter}. */
    Freshness freshness() {
        return freshness;
    }

    /** Asks the loop to stop after the batch in flight; callable from any thread. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /**
     * Plans one batch and commits it; false when it ended by seeking every assigned partition back
     * (an abandoned batch). The last batch of a poll goes to the background, one batch per tenant:
     * each tenant's tables commit on the background threads while the loop polls and commits the
     * other tenants' records (a flooding tenant's thousands of rows no longer hold a quiet
     * tenant's next event back until they are committed), and each tenant reads on as soon as its
     * own batch is finished. Any other batch commits here.
     */
    private boolean processBatch(ConsumerRecords<byte[], byte[]> records, boolean mayGoToBackground) {
        inFlight = true;
        try {
            Instant now = Instant.now();
            BatchLookups lookups = new BatchLookups(db, catalog, retry);
            BatchPlan plan = planner.plan(records, consumer::position, (tenant, record) -> router.route(tenant, record, lookups), now);
            repositioning.refuse(plan.refused());
            if (!mayGoToBackground) {
                return finishCommit(startCommit(plan, records, now, false));
            }
            for (TenantId tenant : plan.tenants()) {
                Committing committing = startCommit(plan.forTenant(tenant), records, now, true);
                if (committing.commits() == null) {
                    if (!finishCommit(committing)) { // no table rows: only dead letters and offsets
                        return false;
                    }
                } else {
                    background.put(tenant, new Background(committing, pauseTenantsOf(Set.of(tenant))));
                }
            }
            return true;
        } finally {
            inFlight = false;
        }
    }

    /** A batch's commit under way: its plan, its tables' commits, and what they gather for its Kafka transaction. */
    private record Committing(BatchPlan plan, ConsumerRecords<byte[], byte[]> records, Instant now, List<DeadLetter> deadLetters,
            Map<TenantId, TableFailure> failed, Map<TopicPartition, Map<String, Long>> batchClaims, TableCommits.Pending commits) {
    }

    /** A tenant's background batch and the partitions paused for it (the tenant's partitions that were not paused before). */
    private record Background(Committing committing, Set<TopicPartition> paused) {
        TableCommits.Pending commits() {
            return committing.commits();
        }
    }

    /**
     * The first half of the commit step: starts the batch's table commits (data files, table
     * commit, ledger, per table), on the background threads or the loop's. Null commits when no table has rows.
     */
    private Committing startCommit(BatchPlan plan, ConsumerRecords<byte[], byte[]> records, Instant now, boolean toBackground) {
        List<DeadLetter> deadLetters = java.util.Collections.synchronizedList(new ArrayList<>(plan.deadLetters()));
        Map<TenantId, TableFailure> failed = new HashMap<>(plan.failed());
        // The claims of this batch's table commits (partition → table → next offset), for its Kafka transaction.
        Map<TopicPartition, Map<String, Long>> batchClaims = new java.util.concurrent.ConcurrentHashMap<>();
        List<TableCommits.Task> tasks = new ArrayList<>();
        for (Map.Entry<ResolvedDataset, List<LakeRow>> entry : smallestFirst(plan.rowsByTable())) {
            ResolvedDataset dataset = entry.getKey();
            if (!failed.containsKey(dataset.tenant())) {
                tasks.add(new TableCommits.Task(dataset, () -> commitTable(dataset, entry.getValue(), records, deadLetters, batchClaims)));
            }
        }
        TableCommits.Pending commits = tasks.isEmpty() ? null : toBackground ? backgroundCommits.startDetached(tasks) : tableCommits.start(tasks);
        return new Committing(plan, records, now, deadLetters, failed, batchClaims, commits);
    }

    /**
     * The second half of the commit step, on the loop's thread, in the protocol's order: waits for
     * the tables, then one Kafka transaction with the dead letters and group offsets of every
     * tenant that is not held back, then the held-back tenants' pauses. False when every assigned
     * partition was sought back (the guard refused a table commit, or the Kafka transaction failed).
     */
    private boolean finishCommit(Committing c) {
        if (c.commits() != null) {
            TableCommits.Outcome outcome = c.commits().await();
            outcome.failures().forEach((dataset, e) -> c.failed().putIfAbsent(dataset.tenant(),
                    new TableFailure(dataset.tenant(), dataset.dataset().slug(), e)));
            if (outcome.refused()) {
                repositionAll();
                batchDone(c);
                return false;
            }
        }
        // A held-back tenant's dead letters and offsets wait with its rows: all are produced
        // again when its records are read again, and must not be produced twice.
        Set<TenantId> heldBack = c.plan().heldBack(c.failed().keySet());
        List<DeadLetter> deadLetters = new ArrayList<>(c.deadLetters());
        deadLetters.removeIf(d -> heldBack.contains(d.tenant()));
        long kafkaStart = System.nanoTime();
        boolean committed = kafkaCommit.commit(deadLetters, c.plan().positionsExcept(heldBack), c.batchClaims());
        if (committed) {
            metrics.kafkaCommitted(deadLetters, Duration.ofNanos(System.nanoTime() - kafkaStart));
        } else {
            repositionAll();
        }
        c.failed().values().forEach(failure -> pause(failure, c.records(), c.now()));
        c.plan().waiting().forEach(tenant -> holdBack(tenant, c.records()));
        c.plan().tenants().stream().filter(tenant -> !heldBack.contains(tenant)).forEach(this::recovered);
        batchDone(c);
        return committed;
    }

    private void batchDone(Committing c) {
        int records = c.plan().positions().keySet().stream().mapToInt(tp -> c.records().records(tp).size()).sum();
        metrics.batchDone(records, Duration.between(c.now(), Instant.now()));
    }

    /** Finishes the background batches whose tables are done. */
    private void finishDoneBackground() {
        for (TenantId tenant : List.copyOf(background.keySet())) {
            Background batch = background.get(tenant);
            if (batch != null && batch.commits().isDone()) {
                finishBackground(tenant);
            }
        }
    }

    /** Finishes every background batch, waiting for their tables. */
    private void finishAllBackground() {
        while (!background.isEmpty()) {
            finishBackground(background.keySet().iterator().next());
        }
    }

    /**
     * Waits for the tenant's background batch's tables and finishes its commit; its partitions
     * read on (unless its commit paused them again). Called between batches, at a rebalance
     * before partitions move, before every partition is sought back, and at a clean stop.
     */
    private void finishBackground(TenantId tenant) {
        Background done = background.remove(tenant);
        done.paused().retainAll(consumer.assignment());
        consumer.resume(done.paused());
        finishCommit(done.committing());
    }

    /**
     * Seeks every assigned partition back to where the group and the tables say (an abandoned
     * batch), after the background batches are finished: their partitions must not be sought back
     * under their table commits.
     */
    private void repositionAll() {
        finishAllBackground();
        repositioning.reposition(consumer.assignment());
    }

    /** Pauses every assigned partition of {@code tenants} not paused already; returns those it paused. */
    private Set<TopicPartition> pauseTenantsOf(Set<TenantId> tenants) {
        Set<TopicPartition> alreadyPaused = consumer.paused();
        Set<TopicPartition> toPause = new HashSet<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (!alreadyPaused.contains(tp) && Topics.tenantOf(tp.topic()).filter(tenants::contains).isPresent()) {
                toPause.add(tp);
            }
        }
        consumer.pause(toPause);
        return toPause;
    }

    /**
     * The batch's tables, fewest rows first: they start in this order when there are more tables
     * than commit threads, so a quiet tenant's few rows are not kept waiting behind a flooding
     * tenant's Parquet files in the same batch. Any order is safe: tables commit independently,
     * and the Kafka transaction comes after them all.
     */
    private static List<Map.Entry<ResolvedDataset, List<LakeRow>>> smallestFirst(Map<ResolvedDataset, List<LakeRow>> rowsByTable) {
        List<Map.Entry<ResolvedDataset, List<LakeRow>>> tables = new ArrayList<>(rowsByTable.entrySet());
        tables.sort(java.util.Comparator.comparingInt(e -> e.getValue().size()));
        return tables;
    }

    /**
     * Writes and commits one table's rows, then records the commit; false when the guard refused
     * the batch. Rows the Parquet writer refused join {@code deadLetters} (stage write); the
     * table's new offsets join {@code batchClaims}.
     */
    private boolean commitTable(ResolvedDataset dataset, List<LakeRow> rows, ConsumerRecords<byte[], byte[]> records,
            List<DeadLetter> deadLetters, Map<TopicPartition, Map<String, Long>> batchClaims) {
        Table table = dataset.table();
        reconciliation.beforeCommit(dataset.tenant(), dataset.dataset().slug(), table);
        // Claimed before anything is written, committed before the table commit: a re-read batch claims the same rows again.
        ClaimResult claimed = eventIds.claim(dataset.tenant(), dataset.dataset().slug(), rows);
        if (!claimed.duplicates().isEmpty()) {
            LOG.info("skipped {} duplicate event(s) for {} (first: '{}')", claimed.duplicates().size(), table.name(),
                    claimed.duplicates().getFirst().row().getField("event_id"));
        }
        crashPoints.reached(CrashPoint.AFTER_EVENT_IDS_CLAIMED, Set.of(dataset.tenant()));
        if (claimed.kept().isEmpty()) {
            return true;
        }
        long writeStart = System.nanoTime();
        TableWriteResult written = TableWriter.write(table, claimed.kept());
        if (!written.rejected().isEmpty()) {
            eventIds.release(dataset.tenant(), dataset.dataset().slug(), written.rejected().stream().map(RejectedRow::row).toList());
        }
        for (RejectedRow rejected : written.rejected()) {
            deadLetters.add(new DeadLetter(dataset.tenant(), sourceOf(records, rejected.row()), ErrorCode.UNWRITABLE_VALUE,
                    "row for table " + table.name() + " refused: " + rejected.reason()));
        }
        if (written.files().isEmpty()) {
            return true;
        }
        crashPoints.reached(CrashPoint.AFTER_FILES_WRITTEN, Set.of(dataset.tenant()));
        TableCommitResult commit;
        try {
            commit = TableCommitter.commit(table, written, heldAtLeast(dataset, written, batchClaims), retry);
        } catch (StaleBatchException e) {
            LOG.warn("abandoning batch: {}", e.getMessage());
            TableWriter.deleteQuietly(table, written.files());
            return false;
        } catch (RuntimeException e) {
            TableWriter.deleteQuietly(table, written.files());
            throw e;
        }
        written.ranges().forEach((tp, range) -> batchClaims.computeIfAbsent(tp, k -> new java.util.concurrent.ConcurrentHashMap<>())
                .merge(dataset.tableName(), range.nextOffset(), Math::max));
        crashPoints.reached(CrashPoint.AFTER_TABLE_COMMIT, Set.of(dataset.tenant()));
        ledger.record(dataset.tenant(), dataset.dataset().slug(), commit, written);
        landed.committed(dataset.tenant(), dataset.dataset().slug(), table, commit, written.recordCount());
        metrics.tableCommitted(dataset.tenant(), written.recordCount(), Duration.ofNanos(System.nanoTime() - writeStart));
        LOG.debug("committed {} rows to {} as snapshot {}", written.recordCount(), table.name(), commit.snapshotId());
        return true;
    }

    /** Per partition of the write, how far this worker knows the table holds it (claims confirmed or of this batch). */
    private Map<TopicPartition, Long> heldAtLeast(ResolvedDataset dataset, TableWriteResult written,
            Map<TopicPartition, Map<String, Long>> batchClaims) {
        Map<TopicPartition, Long> held = new HashMap<>();
        for (TopicPartition tp : written.ranges().keySet()) {
            long known = progress.heldAtLeast(tp, dataset.tableName(), batchClaims);
            if (known > 0) {
                held.put(tp, known);
            }
        }
        return held;
    }

    private static ConsumerRecord<byte[], byte[]> sourceOf(ConsumerRecords<byte[], byte[]> records, LakeRow row) {
        return records.records(row.source()).stream().filter(r -> r.offset() == row.offset()).findFirst()
                .orElseThrow(() -> new IllegalStateException("row of " + row.source() + " offset " + row.offset() + " is not in the batch"));
    }

    /**
     * One of the tenant's tables failed for a reason that is not one record's: its records of this
     * batch are read again later, its partitions wait with exponential backoff, and the operator
     * sees why ({@code pulse.ingest_status}, {@code pulse tenant show}, {@code pulse doctor}).
     */
    private void pause(TableFailure failure, ConsumerRecords<byte[], byte[]> records, Instant now) {
        TenantPauses.Pause pause = pauses.failed(failure, now);
        statusClear.remove(failure.tenant());
        LOG.error("pausing tenant {}: dataset '{}' failed ({} in a row since {}), next try at {}: {}", failure.tenant(), failure.dataset(),
                pause.failures(), pause.since(), pause.retryAt(), failure.reason(),
                pause.failures() == 1 ? failure.cause() : null);
        holdBack(failure.tenant(), records);
        retry.database("ingest status of " + failure.tenant(), () -> db.inTenant(failure.tenant(), tx -> {
            IngestStatus.recordPaused(tx, failure.dataset(), failure.reason(), pause.since(), pause.failures(), pause.retryAt());
            return null;
        }));
    }

    /** Rewinds the tenant's partitions of this batch to its first record and pauses all its assigned partitions. */
    private void holdBack(TenantId tenant, ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            if (Topics.tenantOf(tp.topic()).filter(tenant::equals).isPresent() && consumer.assignment().contains(tp)) {
                consumer.seek(tp, records.records(tp).getFirst().offset());
            }
        }
        consumer.pause(partitionsOf(tenant));
    }

    /** Resumes the partitions of the paused tenants whose next try is due. */
    private void resumeDueTenants() {
        if (pauses.isEmpty()) {
            return;
        }
        for (TenantId tenant : pauses.dueForRetry(Instant.now())) {
            if (background.containsKey(tenant)) {
                continue; // its partitions read on once its background batch is finished
            }
            LOG.info("trying tenant {} again", tenant);
            consumer.resume(partitionsOf(tenant));
        }
    }

    /**
     * The tenant's records went through: end its pause, if it had one, and clear its status. The
     * status is also cleared once for a tenant this worker has not cleared yet: it may have been
     * written by a worker that died or lost the partitions while the tenant was paused.
     */
    private void recovered(TenantId tenant) {
        Optional<TenantPauses.Pause> pause = pauses.recovered(tenant);
        pause.ifPresent(p -> LOG.info("tenant {} flows again after {} failed tries since {}", tenant, p.failures(), p.since()));
        if (pause.isPresent() || !statusClear.contains(tenant)) {
            retry.database("ingest status of " + tenant, () -> db.inTenant(tenant, IngestStatus::clear));
            statusClear.add(tenant);
        }
    }

    private List<TopicPartition> partitionsOf(TenantId tenant) {
        return consumer.assignment().stream().filter(tp -> Topics.tenantOf(tp.topic()).filter(tenant::equals).isPresent()).toList();
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (inFlight) {
                // Cannot happen: callbacks run inside poll, between batches. If it ever does, the
                // batch's offsets must not be committed by anyone: fail loudly.
                throw new IllegalStateException("partitions revoked while a batch is in flight");
            }
            // Kafka's advice for a revocation: commit what was processed while the partitions are
            // still this worker's (an aborted transaction, if the generation moved on, leaves the
            // tables holding their offsets, as after any abandoned batch).
            finishAllBackground();
            progress.forget(partitions);
            trackFirstPartitions(partitions, false);
            freshness.forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            repositioning.reposition(partitions);
            trackFirstPartitions(partitions, true);
            // A new partition of a tenant whose batch is in the background (its topic grew) waits
            // with the tenant's others: a tenant never has two batches in flight.
            for (TopicPartition tp : partitions) {
                Topics.tenantOf(tp.topic()).map(background::get).ifPresent(batch -> {
                    consumer.pause(List.of(tp));
                    batch.paused().add(tp);
                });
            }
        }
    }
}
