package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.lake.LakeRow;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What one polled batch is to become, decided before anything is written ({@link BatchPlanner}).
 *
 * @param rowsByTable the rows each table is to land, keyed by identity (one {@link ResolvedDataset}
 *     per dataset per batch)
 * @param deadLetters the records bound for their tenant's DLQ
 * @param positions per partition read, where its group offset moves once the batch is committed
 * @param failed tenants whose table failed while routing: none of their records of the batch is committed
 * @param waiting tenants still paused (a partition newly assigned inside this poll): their records wait
 * @param tenants every tenant with records in the batch
 * @param refused partitions of a topic that names no tenant: never read
 */
record BatchPlan(Map<ResolvedDataset, List<LakeRow>> rowsByTable, List<DeadLetter> deadLetters, Map<TopicPartition, Long> positions,
        Map<TenantId, TableFailure> failed, Set<TenantId> waiting, Set<TenantId> tenants, List<TopicPartition> refused) {

    BatchPlan {
        rowsByTable = Collections.unmodifiableMap(rowsByTable);
        deadLetters = List.copyOf(deadLetters);
        positions = Map.copyOf(positions);
        failed = Map.copyOf(failed);
        waiting = Set.copyOf(waiting);
        tenants = Set.copyOf(tenants);
        refused = List.copyOf(refused);
    }

    /** The tenants whose records wait for a later batch: those still paused and those whose table failed ({@code failedTenants}). */
    Set<TenantId> heldBack(Collection<TenantId> failedTenants) {
        Set<TenantId> heldBack = new HashSet<>(waiting);
        heldBack.addAll(failedTenants);
        return heldBack;
    }

    /**
     * The part of this plan that is {@code tenant}'s: its tables' rows, dead letters, partitions
     * and state (no refused partitions: those are refused once, before the plan is divided).
     */
    BatchPlan forTenant(TenantId tenant) {
        Map<ResolvedDataset, List<LakeRow>> rows = new java.util.LinkedHashMap<>(rowsByTable);
        rows.keySet().removeIf(dataset -> !dataset.tenant().equals(tenant));
        Map<TopicPartition, Long> own = new HashMap<>(positions);
        own.keySet().removeIf(tp -> !Topics.tenantOf(tp.topic()).filter(tenant::equals).isPresent());
        Map<TenantId, TableFailure> ownFailure = new HashMap<>(failed);
        ownFailure.keySet().retainAll(Set.of(tenant));
        Set<TenantId> ownWaiting = new HashSet<>(waiting);
        ownWaiting.retainAll(Set.of(tenant));
        return new BatchPlan(rows, deadLetters.stream().filter(d -> d.tenant().equals(tenant)).toList(), own, ownFailure, ownWaiting,
                tenants.contains(tenant) ? Set.of(tenant) : Set.of(), List.of());
    }

    /** The positions of the partitions of every tenant but {@code heldBack}. */
    Map<TopicPartition, Long> positionsExcept(Set<TenantId> heldBack) {
        Map<TopicPartition, Long> out = new HashMap<>(positions);
        out.keySet().removeIf(tp -> heldBack.contains(Topics.tenantOf(tp.topic()).orElseThrow()));
        return out;
    }
}
