package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.lake.LakeRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * The plan step of a batch: routes each polled record to its table's rows or its tenant's DLQ,
 * skips what is handled already, and notes where each partition's group offset may move. Writes
 * nothing: the only I/O is the routing's dataset lookups. The commit step ({@link IngestLoop})
 * then carries the plan out in the protocol's order.
 */
final class BatchPlanner {
    /** Where one record of the tenant's topic goes (production: {@link RecordRouter} with the batch's lookups). */
    @FunctionalInterface
    interface Route {
        Routing of(TenantId tenant, ConsumerRecord<byte[], byte[]> record);
    }

    private final PartitionProgress progress;
    private final TenantPauses pauses;

    BatchPlanner(PartitionProgress progress, TenantPauses pauses) {
        this.progress = progress;
        this.pauses = pauses;
    }

    /** {@code position}: the consumer's position of a partition of the batch. */
    BatchPlan plan(ConsumerRecords<byte[], byte[]> records, ToLongFunction<TopicPartition> position, Route route, Instant now) {
        // ResolvedDataset is one instance per dataset per batch: identity is the right key.
        Map<ResolvedDataset, List<LakeRow>> rowsByTable = new IdentityHashMap<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        Map<TopicPartition, Long> positions = new HashMap<>();
        Map<TenantId, TableFailure> failed = new HashMap<>();
        Set<TenantId> waiting = new HashSet<>();
        Set<TenantId> tenants = new HashSet<>();
        List<TopicPartition> refused = new ArrayList<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(tp);
            Optional<TenantId> tenant = Topics.tenantOf(tp.topic());
            if (tenant.isEmpty()) {
                refused.add(tp);
                continue;
            }
            tenants.add(tenant.get());
            if (pauses.waiting(tenant.get(), now)) {
                waiting.add(tenant.get()); // e.g. a partition of a paused tenant newly assigned inside this poll
                continue;
            }
            // The position, not last offset + 1: it also steps over transaction markers (the
            // DLQ replay writes raw records transactionally), so lag can reach zero.
            positions.put(tp, Math.max(position.applyAsLong(tp), partitionRecords.getLast().offset() + 1));
            long floor = progress.handledBelow(tp);
            Healing heal = progress.healing(tp);
            for (ConsumerRecord<byte[], byte[]> record : partitionRecords) {
                if (failed.containsKey(tenant.get())) {
                    break; // the tenant's records are read again after its backoff
                }
                boolean handled = record.offset() < floor;
                if (handled && heal == null) {
                    continue; // handled before the last rebalance or re-seek
                }
                switch (route.of(tenant.get(), record)) {
                    case Routing.ToTable(ResolvedDataset dataset, LakeRow row) -> {
                        // Below the group offset only the rows of a table that lost them are landed again.
                        if (!dataset.holds(tp, record.offset()) && (!handled || heal.lost(dataset.tableName()))) {
                            rowsByTable.computeIfAbsent(dataset, d -> new ArrayList<>()).add(row);
                        }
                    }
                    case Routing.ToDeadLetters(DeadLetter deadLetter) -> deadLetters.add(deadLetter);
                    case Routing.TableFailing(TableFailure failure) -> failed.put(tenant.get(), failure);
                }
            }
        }
        return new BatchPlan(rowsByTable, deadLetters, positions, failed, waiting, tenants, refused);
    }
}
