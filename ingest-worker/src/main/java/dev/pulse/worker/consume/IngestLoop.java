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
 * The consume → validate → commit loop. One poll is one batch, processed to the end before the
 * next poll: first planned ({@link BatchPlanner}: where each record goes, nothing written), then
 * committed in the protocol's order: tables, then the ledger, then one Kafka transaction with the
 * DLQ records and the group offsets ({@link KafkaCommit}). Rebalance callbacks only run inside
 * {@code poll}, so they never see a batch in flight. See the package documentation of
 * {@code dev.pulse.worker} for the protocol.
 */
public final class IngestLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestLoop.class);

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
    private final Repositioning repositioning;
    /** Tenants whose raw topic's partition 0 is assigned here: this worker maintains their tables. */
    private final Set<TenantId> firstPartitionOwned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final LedgerReconciliation reconciliation;
    private final Freshness freshness;
    private final FairPoll fairPoll;
    private final TenantSubscription subscription;
    private final Rebalance rebalance = new Rebalance();
    private final LoopMetrics metrics;
    private volatile boolean stopping;
    private boolean inFlight;

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
        this.kafkaCommit = new KafkaCommit(consumer, producer, progress, crashPoints);
        this.freshness = new Freshness(consumer, logEnds);
        this.reconciliation = new LedgerReconciliation(db, catalog, retry, ledger);
        this.repositioning = new Repositioning(consumer, catalog, committedOffsets, reconciliation, progress);
        this.fairPoll = new FairPoll(consumer, fairness.maxPollRecords());
        this.subscription = new TenantSubscription(fairness.tenants(), db, retry);
    }

    /**
     * How the loop shares itself between tenants: the consumer's {@code max.poll.records} (a full
     * poll is topped up with the other tenants' buffered records, {@link FairPoll}) and which
     * tenants this worker group reads ({@link WorkerTenants}).
     */
    public record Fairness(int maxPollRecords, WorkerTenants tenants) {
    }

    /** How long a tenant whose table keeps failing waits before the next try: {@code first}, doubling, at most {@code max}. */
    public record TenantBackoff(Duration first, Duration max) {
    }

    @Override
    public void run() {
        while (!stopping) {
            try {
                if (!subscription.refresh(consumer, rebalance, Instant.now())) {
                    idle();
                    continue;
                }
                resumeDueTenants();
                ConsumerRecords<byte[], byte[]> records = fairPoll.poll(pollTimeout);
                if (!records.isEmpty()) {
                    freshness.polled(records);
                    for (ConsumerRecords<byte[], byte[]> batch : LightFirst.split(records)) {
                        if (!processBatch(batch)) {
                            break; // every partition was sought back: the rest is read again
                        }
                    }
                }
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

    /** Plans and commits one batch; false when it ended by seeking every assigned partition back (an abandoned batch). */
    private boolean processBatch(ConsumerRecords<byte[], byte[]> records) {
        inFlight = true;
        try {
            Instant now = Instant.now();
            BatchLookups lookups = new BatchLookups(db, catalog, retry);
            BatchPlan plan = planner.plan(records, consumer::position, (tenant, record) -> router.route(tenant, record, lookups), now);
            boolean committed = commit(plan, records, now);
            metrics.batchDone(records.count(), Duration.between(now, Instant.now()));
            return committed;
        } finally {
            inFlight = false;
        }
    }

    /**
     * The commit step, in the protocol's order: each table (data files, table commit, ledger),
     * then one Kafka transaction with the dead letters and group offsets of every tenant that is
     * not held back, then the held-back tenants' pauses. False when every assigned partition was
     * sought back (the guard refused a table commit, or the Kafka transaction failed).
     */
    private boolean commit(BatchPlan plan, ConsumerRecords<byte[], byte[]> records, Instant now) {
        repositioning.refuse(plan.refused());
        List<DeadLetter> deadLetters = new ArrayList<>(plan.deadLetters());
        Map<TenantId, TableFailure> failed = new HashMap<>(plan.failed());
        // The claims of this batch's table commits (partition → table → next offset), for its Kafka transaction.
        Map<TopicPartition, Map<String, Long>> batchClaims = new HashMap<>();
        for (Map.Entry<ResolvedDataset, List<LakeRow>> entry : smallestFirst(plan.rowsByTable())) {
            ResolvedDataset dataset = entry.getKey();
            if (failed.containsKey(dataset.tenant())) {
                continue;
            }
            try {
                if (!commitTable(dataset, entry.getValue(), records, deadLetters, batchClaims)) {
                    repositioning.reposition(consumer.assignment());
                    return false;
                }
            } catch (RuntimeException e) {
                if (Failures.isInfrastructure(e)) {
                    throw e;
                }
                failed.put(dataset.tenant(), new TableFailure(dataset.tenant(), dataset.dataset().slug(), e));
            }
        }
        // A held-back tenant's dead letters and offsets wait with its rows: all are produced
        // again when its records are read again, and must not be produced twice.
        Set<TenantId> heldBack = plan.heldBack(failed.keySet());
        deadLetters.removeIf(d -> heldBack.contains(d.tenant()));
        long kafkaStart = System.nanoTime();
        boolean committed = kafkaCommit.commit(deadLetters, plan.positionsExcept(heldBack), batchClaims);
        if (committed) {
            metrics.kafkaCommitted(deadLetters, Duration.ofNanos(System.nanoTime() - kafkaStart));
        } else {
            repositioning.reposition(consumer.assignment());
        }
        failed.values().forEach(failure -> pause(failure, records, now));
        plan.waiting().forEach(tenant -> holdBack(tenant, records));
        plan.tenants().stream().filter(tenant -> !heldBack.contains(tenant)).forEach(this::recovered);
        return committed;
    }

    /**
     * The batch's tables, fewest rows first: a table's rows are visible once its own commit is
     * done, so a quiet tenant's few rows are not kept waiting behind a flooding tenant's Parquet
     * files in the same batch. Any order is safe: tables commit independently, and the Kafka
     * transaction comes after them all.
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
        written.ranges().forEach((tp, range) -> batchClaims.computeIfAbsent(tp, k -> new HashMap<>())
                .merge(dataset.tableName(), range.nextOffset(), Math::max));
        crashPoints.reached(CrashPoint.AFTER_TABLE_COMMIT, Set.of(dataset.tenant()));
        ledger.record(dataset.tenant(), dataset.dataset().slug(), commit, written);
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
        }
    }
}
