package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.lake.SnapshotOffsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where assigned partitions resume, on every assignment and after an abandoned batch or an aborted
 * Kafka transaction: reconciles the tenants' ledgers ({@link LedgerReconciliation}), reads the
 * group offsets, checks their table claims (healing a table that lost a commit) and seeks.
 */
final class Repositioning {
    private static final Logger LOG = LoggerFactory.getLogger(Repositioning.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Catalog catalog;
    private final CommittedOffsets committedOffsets;
    private final LedgerReconciliation reconciliation;
    private final PartitionProgress progress;
    private final LandedUsage landed;

    Repositioning(Consumer<byte[], byte[]> consumer, Catalog catalog, CommittedOffsets committedOffsets, LedgerReconciliation reconciliation,
            PartitionProgress progress, LandedUsage landed) {
        this.landed = landed;
        this.consumer = consumer;
        this.catalog = catalog;
        this.committedOffsets = committedOffsets;
        this.reconciliation = reconciliation;
        this.progress = progress;
    }

    /**
     * Seeks each partition to where work resumes: the committed group offset when there is one
     * (everything below it is in a table or the DLQ), else the beginning. Not the tables' stored
     * offsets: a table only knows its own rows, and records between the beginning and a table's
     * offset may have been bound for the DLQ in a batch whose transaction never committed;
     * starting at the table's offset would lose them. Records a table already holds are skipped
     * record by record instead. Reconciles the tenant's ledgers first, and queues again the usage
     * "rows landed" of table commits at or above the group offsets ({@link LandedUsage#recover}).
     */
    void reposition(Collection<TopicPartition> partitions) {
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
        java.time.Instant now = java.time.Instant.now();
        tenantPartitions.stream().map(tp -> Topics.tenantOf(tp.topic()).orElseThrow()).distinct().forEach(tenant -> {
            Map<TopicPartition, Long> groupOffsets = new java.util.HashMap<>();
            tenantPartitions.stream().filter(tp -> Topics.tenantOf(tp.topic()).orElseThrow().equals(tenant))
                    .forEach(tp -> groupOffsets.put(tp, committed.get(tp) == null ? -1L : committed.get(tp).offset()));
            reconciliation.reconcile(tenant, (slug, table) -> landed.recover(tenant, slug, table, groupOffsets, now));
        });
        LOG.info("resuming {} partitions: group offsets read in {} ms, ledgers reconciled in {} ms", tenantPartitions.size(),
                (read - started) / 1_000_000, (System.nanoTime() - read) / 1_000_000);
        List<TopicPartition> fromBeginning = new ArrayList<>();
        for (TopicPartition tp : tenantPartitions) {
            OffsetAndMetadata groupOffset = committed.get(tp);
            if (groupOffset != null) {
                Map<String, Long> claimed = TableClaims.parse(groupOffset.metadata());
                ResumePoint resume = resumeAt(tp, groupOffset.offset(), claimed);
                progress.resumed(tp, groupOffset.offset(), claimed, resume.healing());
                consumer.seek(tp, resume.offset());
            } else {
                progress.resumedFromBeginning(tp);
                fromBeginning.add(tp);
            }
        }
        if (!fromBeginning.isEmpty()) {
            consumer.seekToBeginning(fromBeginning);
        }
    }

    /** A topic that matches the pattern but names no tenant has no table and no DLQ: never read it. */
    void refuse(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        LOG.error("refusing to read {}: the topic name does not carry a canonical tenant id, so its records belong to no tenant", partitions);
        consumer.pause(partitions);
    }

    /** Where a partition resumes reading, and its healing if it heals. */
    private record ResumePoint(long offset, Healing healing) {
    }

    /**
     * Where a partition with a group offset resumes: at the group offset, unless a table holds
     * less of this partition than the group offset claims (a table commit vanished: its catalog
     * went back to older metadata). Then at the smallest such table's own stored offset, healing
     * up to the group offset: only the rows of the tables that lost them are landed again (each
     * table's stored offset still skips what it holds), dead letters of that stretch are sent
     * once more. Records Kafka no longer holds cannot be re-landed; the log says how many. A claim
     * on a table that no longer exists is dropped from {@code claimed}.
     */
    private ResumePoint resumeAt(TopicPartition tp, long groupOffset, Map<String, Long> claimed) {
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
            Map<TopicPartition, Long> map = SnapshotOffsets.stored(table);
            long stored = SnapshotOffsets.heldThrough(table, map, tp, claim.getValue());
            if (stored > map.getOrDefault(tp, 0L)) {
                LOG.warn("{}: table {}'s offsets map holds this partition only up to {}, but its commit up to {} is in the table (a map "
                        + "an older worker's racing append took back): not a lost commit, nothing to land again", tp, table.name(),
                        map.getOrDefault(tp, 0L), stored);
            }
            if (stored < claim.getValue()) {
                lost.put(claim.getKey(), stored);
                LOG.error("{}: table {} holds this partition only up to offset {}, but the group offset {} was committed after it held "
                        + "up to {}: a table commit vanished (the catalog went back to older metadata); re-reading from {} to land "
                        + "the missing rows again", tp, table.name(), stored, groupOffset, claim.getValue(), stored);
            }
        }
        if (lost.isEmpty()) {
            return new ResumePoint(groupOffset, null);
        }
        long from = Collections.min(lost.values());
        long logStart = consumer.beginningOffsets(List.of(tp)).getOrDefault(tp, 0L);
        if (logStart > from) {
            LOG.error("{}: Kafka no longer holds offsets {} to {}; the rows among them that {} lost cannot be landed again",
                    tp, from, logStart - 1, lost.keySet());
            from = logStart;
        }
        return new ResumePoint(Math.min(from, groupOffset), new Healing(groupOffset, lost.keySet()));
    }
}
