package dev.pulse.worker.consume;

import dev.pulse.schemas.control.DatasetRecord;
import dev.pulse.schemas.control.Datasets;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.WorkerException;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.lake.CommitLedger;
import dev.pulse.worker.lake.LakeRow;
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
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
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
    /**
     * Per assigned partition, the committed group offset: every record below it is in a table or
     * in the DLQ already, because the group offset only moves in the transaction that follows the
     * table commits. Absent when the group has no offset for the partition.
     */
    private final Map<TopicPartition, Long> handledBelow = new HashMap<>();
    private volatile boolean stopping;
    private volatile boolean crashed;
    private boolean inFlight;

    public IngestLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, TenantDatabase db, Catalog catalog,
            RetryPolicy retry, Duration pollTimeout, CrashPoints crashPoints) {
        this.consumer = consumer;
        this.producer = producer;
        this.db = db;
        this.catalog = catalog;
        this.retry = retry;
        this.pollTimeout = pollTimeout;
        this.crashPoints = crashPoints;
        this.ledger = new CommitLedger(db, retry);
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(Topics.RAW_PATTERN, new Rebalance());
            while (!stopping) {
                try {
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
        } catch (SimulatedCrash crash) {
            crashed = true;
            throw crash;
        }
    }

    /** Asks the loop to stop after the batch in flight; callable from any thread. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    public boolean crashed() {
        return crashed;
    }

    private void processBatch(ConsumerRecords<byte[], byte[]> records) {
        inFlight = true;
        try {
            BatchLookups lookups = new BatchLookups(db, catalog, retry);
            // BatchLookups hands out one instance per dataset per batch: identity is the right key.
            Map<ResolvedDataset, List<LakeRow>> rowsByTable = new IdentityHashMap<>();
            List<DeadLetter> deadLetters = new ArrayList<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(tp);
                Optional<TenantId> tenant = Topics.tenantOf(tp.topic());
                if (tenant.isEmpty()) {
                    refuse(List.of(tp));
                    continue;
                }
                // The position, not last offset + 1: it also steps over transaction markers (the
                // DLQ replay writes raw records transactionally), so lag can reach zero.
                offsets.put(tp, new OffsetAndMetadata(Math.max(consumer.position(tp), partitionRecords.getLast().offset() + 1)));
                long floor = handledBelow.getOrDefault(tp, 0L);
                for (ConsumerRecord<byte[], byte[]> record : partitionRecords) {
                    if (record.offset() < floor) {
                        continue; // handled before the last rebalance or re-seek
                    }
                    switch (router.route(tenant.get(), record, lookups)) {
                        case Routing.ToTable(ResolvedDataset dataset, LakeRow row) -> {
                            if (!dataset.holds(tp, record.offset())) {
                                rowsByTable.computeIfAbsent(dataset, d -> new ArrayList<>()).add(row);
                            }
                        }
                        case Routing.ToDeadLetters(DeadLetter deadLetter) -> deadLetters.add(deadLetter);
                    }
                }
            }
            for (Map.Entry<ResolvedDataset, List<LakeRow>> entry : rowsByTable.entrySet()) {
                if (!commitTable(entry.getKey(), entry.getValue())) {
                    reposition(consumer.assignment());
                    return;
                }
            }
            commitKafka(deadLetters, offsets);
        } finally {
            inFlight = false;
        }
    }

    /** Writes and commits one table's rows, then records the commit; false when the guard refused the batch. */
    private boolean commitTable(ResolvedDataset dataset, List<LakeRow> rows) {
        Table table = dataset.table();
        TableWriteResult written = TableWriter.write(table, rows);
        crashPoints.reached(CrashPoint.AFTER_FILES_WRITTEN, Set.of(dataset.tenant()));
        TableCommitResult commit;
        try {
            commit = TableCommitter.commit(table, written, retry);
        } catch (StaleBatchException e) {
            LOG.warn("abandoning batch: {}", e.getMessage());
            TableWriter.deleteQuietly(table, written.files());
            return false;
        }
        crashPoints.reached(CrashPoint.AFTER_TABLE_COMMIT, Set.of(dataset.tenant()));
        ledger.record(dataset.tenant(), dataset.dataset().slug(), commit, written);
        LOG.debug("committed {} rows to {} as snapshot {}", written.recordCount(), table.name(), commit.snapshotId());
        return true;
    }

    /**
     * DLQ records and group offsets in one transaction, after the tables: the group offset then
     * says exactly what the DLQ holds, and EOS v2 fences a worker whose group generation is stale.
     */
    private void commitKafka(List<DeadLetter> deadLetters, Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
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
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(tenantPartitions);
        tenantPartitions.stream().map(tp -> Topics.tenantOf(tp.topic()).orElseThrow()).distinct().forEach(this::reconcile);
        List<TopicPartition> fromBeginning = new ArrayList<>();
        for (TopicPartition tp : tenantPartitions) {
            OffsetAndMetadata groupOffset = committed.get(tp);
            if (groupOffset != null) {
                handledBelow.put(tp, groupOffset.offset());
                consumer.seek(tp, groupOffset.offset());
            } else {
                handledBelow.remove(tp);
                fromBeginning.add(tp);
            }
        }
        if (!fromBeginning.isEmpty()) {
            consumer.seekToBeginning(fromBeginning);
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
            try {
                table = catalog.loadTable(dataset.table());
            } catch (NoSuchTableException e) {
                LOG.error("dataset '{}' of tenant {} has no table {}", dataset.slug(), tenant, dataset.table());
                continue;
            }
            int repaired = ledger.reconcile(tenant, dataset.slug(), table);
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
            if (crashed) {
                return; // a dead process runs no callbacks
            }
            if (inFlight) {
                // Cannot happen: callbacks run inside poll, between batches. If it ever does, the
                // batch's offsets must not be committed by anyone: fail loudly.
                throw new IllegalStateException("partitions revoked while a batch is in flight");
            }
            partitions.forEach(handledBelow::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (crashed) {
                return;
            }
            reposition(partitions);
        }
    }
}
