package dev.pulse.worker.consume;

import dev.pulse.schemas.control.DatasetRecord;
import dev.pulse.schemas.control.IngestStatus;
import dev.pulse.schemas.control.Datasets;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.WorkerException;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.dlq.ErrorCode;
import dev.pulse.worker.lake.CommitLedger;
import dev.pulse.worker.lake.LakeRow;
import dev.pulse.worker.lake.RejectedRow;
import dev.pulse.worker.lake.SnapshotOffsets;
import dev.pulse.worker.lake.StaleBatchException;
import dev.pulse.worker.lake.TableCommitResult;
import dev.pulse.worker.lake.TableCommitter;
import dev.pulse.worker.lake.TableWriteResult;
import dev.pulse.worker.lake.TableWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume → validate → commit loop. One poll is one batch, processed to the end before the
 * next poll: tables first, then the ledger, then one Kafka transaction with the DLQ records and
 * the group offsets. Rebalance callbacks only run inside {@code poll}, so they never see a batch
 * in flight. See the package documentation of {@code dev.pulse.worker} for the protocol.
 */
public final class IngestLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestLoop.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final TenantDatabase db;
    private final Catalog catalog;
    private final RetryPolicy retry;
    private final Duration pollTimeout;
    private final CrashPoints crashPoints;
    private final CommitLedger ledger;
    private final RecordRouter router = new RecordRouter();
    private final TenantPauses pauses;
    /** Tenants whose {@code pulse.ingest_status} this worker knows to be empty. */
    private final Set<TenantId> statusClear = new HashSet<>();
    /**
     * Per assigned partition, the committed group offset: every record below it is in a table or
     * in the DLQ already, because the group offset only moves in the transaction that follows the
     * table commits. Absent when the group has no offset for the partition.
     */
    private final Map<TopicPartition, Long> handledBelow = new HashMap<>();
    /**
     * Per assigned partition, what its committed group offset claims the tables hold (table name →
     * next offset), carried forward into every offset this worker commits ({@link TableClaims}).
     */
    private final Map<TopicPartition, Map<String, Long>> claims = new HashMap<>();
    /** The claims of the table commits of the batch in flight, not yet in a Kafka transaction. */
    private final Map<TopicPartition, Map<String, Long>> batchClaims = new HashMap<>();
    /** Partitions being re-read below their group offset because a table lost a commit. */
    private final Map<TopicPartition, Healing> healing = new HashMap<>();
    private final CommittedOffsets committedOffsets;
    private volatile boolean stopping;
    private boolean inFlight;

    public IngestLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, TenantDatabase db, Catalog catalog,
            RetryPolicy retry, Duration pollTimeout, CrashPoints crashPoints, CommittedOffsets committedOffsets,
            TenantBackoff tenantBackoff) {
        this.consumer = consumer;
        this.producer = producer;
        this.db = db;
        this.catalog = catalog;
        this.retry = retry;
        this.pollTimeout = pollTimeout;
        this.crashPoints = crashPoints;
        this.committedOffsets = committedOffsets;
        this.ledger = new CommitLedger(db, retry);
        this.pauses = new TenantPauses(tenantBackoff.first(), tenantBackoff.max());
    }

    /** How long a tenant whose table keeps failing waits before the next try: {@code first}, doubling, at most {@code max}. */
    public record TenantBackoff(Duration first, Duration max) {
    }

    @Override
    public void run() {
        consumer.subscribe(Topics.RAW_PATTERN, new Rebalance());
        while (!stopping) {
            try {
                resumeDueTenants();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                if (!records.isEmpty()) {
                    processBatch(records);
                }
            } catch (WakeupException e) {
                if (!stopping) {
                    throw e;
                }
            }
        }
    }

    /** Asks the loop to stop after the batch in flight; callable from any thread. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    private void processBatch(ConsumerRecords<byte[], byte[]> records) {
        inFlight = true;
        batchClaims.clear();
        try {
            Instant now = Instant.now();
            BatchLookups lookups = new BatchLookups(db, catalog, retry);
            // BatchLookups hands out one instance per dataset per batch: identity is the right key.
            Map<ResolvedDataset, List<LakeRow>> rowsByTable = new IdentityHashMap<>();
            List<DeadLetter> deadLetters = new ArrayList<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            // Tenants whose records wait for a later batch: a table failed, or they are still paused.
            Map<TenantId, TableFailure> failed = new HashMap<>();
            Set<TenantId> waiting = new HashSet<>();
            Set<TenantId> tenants = new HashSet<>();
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(tp);
                Optional<TenantId> tenant = Topics.tenantOf(tp.topic());
                if (tenant.isEmpty()) {
                    refuse(List.of(tp));
                    continue;
                }
                tenants.add(tenant.get());
                if (pauses.waiting(tenant.get(), now)) {
                    waiting.add(tenant.get()); // e.g. a partition of a paused tenant newly assigned inside this poll
                    continue;
                }
                // The position, not last offset + 1: it also steps over transaction markers (the
                // DLQ replay writes raw records transactionally), so lag can reach zero.
                offsets.put(tp, new OffsetAndMetadata(Math.max(consumer.position(tp), partitionRecords.getLast().offset() + 1)));
                long floor = handledBelow.getOrDefault(tp, 0L);
                Healing heal = healing.get(tp);
                for (ConsumerRecord<byte[], byte[]> record : partitionRecords) {
                    if (failed.containsKey(tenant.get())) {
                        break; // the tenant's records are read again after its backoff
                    }
                    boolean handled = record.offset() < floor;
                    if (handled && heal == null) {
                        continue; // handled before the last rebalance or re-seek
                    }
                    switch (router.route(tenant.get(), record, lookups)) {
                        case Routing.ToTable(ResolvedDataset dataset, LakeRow row) -> {
                            // Below the group offset only the rows of a table that lost them are landed again.
                            if (!dataset.holds(tp, record.offset()) && (!handled || heal.lost(dataset))) {
                                rowsByTable.computeIfAbsent(dataset, d -> new ArrayList<>()).add(row);
                            }
                        }
                        case Routing.ToDeadLetters(DeadLetter deadLetter) -> deadLetters.add(deadLetter);
                        case Routing.TableFailing(TableFailure failure) -> failed.put(tenant.get(), failure);
                    }
                }
            }
            for (Map.Entry<ResolvedDataset, List<LakeRow>> entry : rowsByTable.entrySet()) {
                ResolvedDataset dataset = entry.getKey();
                if (failed.containsKey(dataset.tenant())) {
                    continue;
                }
                try {
                    if (!commitTable(dataset, entry.getValue(), records, deadLetters)) {
                        reposition(consumer.assignment());
                        return;
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
            Set<TenantId> heldBack = new HashSet<>(waiting);
            heldBack.addAll(failed.keySet());
            deadLetters.removeIf(d -> heldBack.contains(d.tenant()));
            offsets.keySet().removeIf(tp -> heldBack.contains(Topics.tenantOf(tp.topic()).orElseThrow()));
            commitKafka(deadLetters, offsets);
            failed.values().forEach(failure -> pause(failure, records, now));
            waiting.forEach(tenant -> holdBack(tenant, records));
            tenants.removeAll(heldBack);
            tenants.forEach(this::recovered);
        } finally {
            inFlight = false;
        }
    }

    /**
     * Writes and commits one table's rows, then records the commit; false when the guard refused
     * the batch. Rows the Parquet writer refused join {@code deadLetters} (stage write).
     */
    private boolean commitTable(ResolvedDataset dataset, List<LakeRow> rows, ConsumerRecords<byte[], byte[]> records,
            List<DeadLetter> deadLetters) {
        Table table = dataset.table();
        TableWriteResult written = TableWriter.write(table, rows);
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
            commit = TableCommitter.commit(table, written, heldAtLeast(dataset, written), retry);
        } catch (StaleBatchException e) {
            LOG.warn("abandoning batch: {}", e.getMessage());
            TableWriter.deleteQuietly(table, written.files());
            return false;
        } catch (RuntimeException e) {
            TableWriter.deleteQuietly(table, written.files());
            throw e;
        }
        String tableName = dataset.dataset().table().name();
        written.ranges().forEach((tp, range) -> batchClaims.computeIfAbsent(tp, k -> new HashMap<>())
                .merge(tableName, range.nextOffset(), Math::max));
        crashPoints.reached(CrashPoint.AFTER_TABLE_COMMIT, Set.of(dataset.tenant()));
        ledger.record(dataset.tenant(), dataset.dataset().slug(), commit, written);
        LOG.debug("committed {} rows to {} as snapshot {}", written.recordCount(), table.name(), commit.snapshotId());
        return true;
    }

    /** Per partition of the write, how far this worker knows the table holds it (claims confirmed or of this batch). */
    private Map<TopicPartition, Long> heldAtLeast(ResolvedDataset dataset, TableWriteResult written) {
        String tableName = dataset.dataset().table().name();
        Map<TopicPartition, Long> held = new HashMap<>();
        for (TopicPartition tp : written.ranges().keySet()) {
            Healing heal = healing.get(tp);
            // A table being healed holds less than its claim until the healing reaches it.
            long confirmed = heal != null && heal.lostTables().contains(tableName) ? 0L
                    : claims.getOrDefault(tp, Map.of()).getOrDefault(tableName, 0L);
            long known = Math.max(confirmed, batchClaims.getOrDefault(tp, Map.of()).getOrDefault(tableName, 0L));
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

    /**
     * DLQ records and group offsets in one transaction, after the tables: the group offset then
     * says exactly what the DLQ holds, and EOS v2 fences a worker whose group generation is stale.
     */
    private void commitKafka(List<DeadLetter> deadLetters, Map<TopicPartition, OffsetAndMetadata> positions) {
        if (positions.isEmpty()) {
            return;
        }
        // Each offset carries what it claims about the tables, in the same transaction. While a
        // partition heals, its group offset stays where it was: the records below it were handled.
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, Map<String, Long>> newClaims = new HashMap<>();
        positions.forEach((tp, position) -> {
            Map<String, Long> merged = TableClaims.merge(claims.getOrDefault(tp, Map.of()), batchClaims.getOrDefault(tp, Map.of()));
            newClaims.put(tp, merged);
            long offset = Math.max(position.offset(), handledBelow.getOrDefault(tp, 0L));
            offsets.put(tp, new OffsetAndMetadata(offset, TableClaims.format(merged)));
        });
        Instant now = Instant.now();
        try {
            producer.beginTransaction();
            for (DeadLetter deadLetter : deadLetters) {
                ProducerRecord<byte[], byte[]> record = deadLetter.toProducerRecord(now);
                producer.send(record);
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            crashPoints.reached(CrashPoint.BEFORE_KAFKA_COMMIT, offsets.keySet().stream()
                    .map(tp -> Topics.tenantOf(tp.topic()).orElseThrow()).collect(java.util.stream.Collectors.toSet()));
            producer.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
            throw new WorkerException("the DLQ and offset transaction cannot go on (another worker with transactional id of this one, or no rights)", e);
        } catch (KafkaException e) {
            // Typically a stale group generation after a rebalance: the tables are safe (they hold
            // their offsets), so abort and let the new assignment decide where to resume.
            LOG.warn("aborting the DLQ and offset transaction: {}", e.toString());
            producer.abortTransaction();
            reposition(consumer.assignment());
            return;
        }
        offsets.forEach((tp, o) -> handledBelow.put(tp, o.offset()));
        claims.putAll(newClaims);
        positions.forEach((tp, position) -> {
            Healing heal = healing.get(tp);
            if (heal != null && position.offset() >= heal.until()) {
                healing.remove(tp);
                LOG.warn("{}: re-landed what {} lacked; reading on from the group offset {}", tp, heal.lostTables(), heal.until());
            }
        });
        if (!deadLetters.isEmpty()) {
            LOG.info("sent {} records to dead-letter topics", deadLetters.size());
        }
    }

    /**
     * Seeks each partition to where work resumes: the committed group offset when there is one
     * (everything below it is in a table or the DLQ), else the beginning. Not the tables' stored
     * offsets: a table only knows its own rows, and records between the beginning and a table's
     * offset may have been bound for the DLQ in a batch whose transaction never committed;
     * starting at the table's offset would lose them. Records a table already holds are skipped
     * record by record instead. Reconciles the tenant's ledgers first.
     */
    private void reposition(Collection<TopicPartition> partitions) {
        Set<TopicPartition> tenantPartitions = new HashSet<>();
        List<TopicPartition> refused = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            (Topics.tenantOf(tp.topic()).isPresent() ? tenantPartitions : refused).add(tp);
        }
        refuse(refused);
        if (tenantPartitions.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets.read(consumer, tenantPartitions);
        long read = System.nanoTime();
        tenantPartitions.stream().map(tp -> Topics.tenantOf(tp.topic()).orElseThrow()).distinct().forEach(this::reconcile);
        LOG.info("resuming {} partitions: group offsets read in {} ms, ledgers reconciled in {} ms", tenantPartitions.size(),
                (read - started) / 1_000_000, (System.nanoTime() - read) / 1_000_000);
        List<TopicPartition> fromBeginning = new ArrayList<>();
        for (TopicPartition tp : tenantPartitions) {
            OffsetAndMetadata groupOffset = committed.get(tp);
            healing.remove(tp);
            if (groupOffset != null) {
                handledBelow.put(tp, groupOffset.offset());
                Map<String, Long> claimed = TableClaims.parse(groupOffset.metadata());
                claims.put(tp, claimed);
                consumer.seek(tp, resumeAt(tp, groupOffset.offset(), claimed));
            } else {
                handledBelow.remove(tp);
                claims.remove(tp);
                fromBeginning.add(tp);
            }
        }
        if (!fromBeginning.isEmpty()) {
            consumer.seekToBeginning(fromBeginning);
        }
    }

    /**
     * Where a partition with a group offset resumes: at the group offset, unless a table holds
     * less of this partition than the group offset claims (a table commit vanished: its catalog
     * went back to older metadata). Then at the smallest such table's own stored offset, healing
     * up to the group offset: only the rows of the tables that lost them are landed again (each
     * table's stored offset still skips what it holds), dead letters of that stretch are sent
     * once more. Records Kafka no longer holds cannot be re-landed; the log says how many.
     */
    private long resumeAt(TopicPartition tp, long groupOffset, Map<String, Long> claimed) {
        TenantId tenant = Topics.tenantOf(tp.topic()).orElseThrow();
        Map<String, Long> lost = new TreeMap<>();
        for (Iterator<Map.Entry<String, Long>> it = claimed.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> claim = it.next();
            Table table;
            try {
                table = catalog.loadTable(TableIdentifier.of(LakeNames.namespace(tenant), claim.getKey()));
            } catch (NoSuchTableException e) {
                LOG.warn("{}: the group offset claims rows in table {} of tenant {}, which no longer exists; dropping the claim", tp, claim.getKey(), tenant);
                it.remove();
                continue;
            } catch (RuntimeException e) {
                if (Failures.isInfrastructure(e)) {
                    throw e;
                }
                // The table's own trouble (e.g. unreadable metadata), not the assignment's: keep the
                // claim; the tenant's records pause it when they come, and the next assignment checks again.
                LOG.error("{}: cannot check the claim on table {} of tenant {}: {}", tp, claim.getKey(), tenant, e.toString());
                continue;
            }
            long stored = SnapshotOffsets.stored(table).getOrDefault(tp, 0L);
            if (stored < claim.getValue()) {
                lost.put(claim.getKey(), stored);
                LOG.error("{}: table {} holds this partition only up to offset {}, but the group offset {} was committed after it held "
                        + "up to {}: a table commit vanished (the catalog went back to older metadata); re-reading from {} to land "
                        + "the missing rows again", tp, table.name(), stored, groupOffset, claim.getValue(), stored);
            }
        }
        if (lost.isEmpty()) {
            return groupOffset;
        }
        long from = Collections.min(lost.values());
        long logStart = consumer.beginningOffsets(List.of(tp)).getOrDefault(tp, 0L);
        if (logStart > from) {
            LOG.error("{}: Kafka no longer holds offsets {} to {}; the rows among them that {} lost cannot be landed again",
                    tp, from, logStart - 1, lost.keySet());
            from = logStart;
        }
        healing.put(tp, new Healing(groupOffset, lost.keySet()));
        return Math.min(from, groupOffset);
    }

    /** Re-reading a partition below its group offset, up to {@code until}, for the tables that lost rows. */
    private record Healing(long until, Set<String> lostTables) {
        Healing {
            lostTables = Set.copyOf(lostTables);
        }

        boolean lost(ResolvedDataset dataset) {
            return lostTables.contains(dataset.dataset().table().name());
        }
    }

    /** Repairs the ledger of each of the tenant's datasets from its table's snapshots. */
    private void reconcile(TenantId tenant) {
        List<DatasetRecord> datasets = retry.database("list datasets", () -> new Datasets(db, catalog).list(tenant));
        for (DatasetRecord dataset : datasets) {
            if (!LakeNames.belongsTo(dataset.table(), tenant)) {
                LOG.error("dataset '{}' of tenant {} points at {}, outside the tenant's namespace; ignoring it", dataset.slug(), tenant, dataset.table());
                continue;
            }
            Table table;
            int repaired;
            try {
                table = catalog.loadTable(dataset.table());
                repaired = ledger.reconcile(tenant, dataset.slug(), table);
            } catch (NoSuchTableException e) {
                LOG.error("dataset '{}' of tenant {} has no table {}", dataset.slug(), tenant, dataset.table());
                continue;
            } catch (RuntimeException e) {
                if (Failures.isInfrastructure(e)) {
                    throw e;
                }
                // The table's trouble, not the assignment's: its records pause the tenant when they come.
                LOG.error("cannot reconcile dataset '{}' of tenant {}: {}", dataset.slug(), tenant, e.toString());
                continue;
            }
            if (repaired > 0) {
                LOG.info("reconciled {} missing ledger rows of dataset '{}' of tenant {}", repaired, dataset.slug(), tenant);
            }
        }
    }

    /** A topic that matches the pattern but names no tenant has no table and no DLQ: never read it. */
    private void refuse(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        LOG.error("refusing to read {}: the topic name does not carry a canonical tenant id, so its records belong to no tenant", partitions);
        consumer.pause(partitions);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (inFlight) {
                // Cannot happen: callbacks run inside poll, between batches. If it ever does, the
                // batch's offsets must not be committed by anyone: fail loudly.
                throw new IllegalStateException("partitions revoked while a batch is in flight");
            }
            partitions.forEach(handledBelow::remove);
            partitions.forEach(claims::remove);
            partitions.forEach(healing::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            reposition(partitions);
        }
    }
}
