package dev.pulse.schemas.freshness;

import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The freshness watermark of a tenant's raw topic, always inside the tenant's transaction. A
 * partition's watermark T means: every record the partition received (Kafka acknowledged it)
 * before T is in a table or in the tenant's DLQ. A tenant's datasets are complete through the
 * smallest watermark of its topic's partitions; while a partition has none yet, through nothing
 * known. A watermark only moves forward.
 */
public final class IngestWatermarks {
    private IngestWatermarks() {
    }

    /**
     * Raises the watermark of {@code partition} of the bound tenant's raw topic to
     * {@code completeThrough}, and its known partition count to {@code partitionCount}; a smaller
     * value changes nothing.
     */
    public static void advance(TenantTransaction tx, int partition, int partitionCount, Instant completeThrough) throws SQLException {
        tx.update("""
                INSERT INTO pulse.ingest_watermarks AS w (tenant_id, kafka_partition, partition_count, complete_through, updated_at)
                VALUES (?, ?, ?, ?, now())
                ON CONFLICT (tenant_id, kafka_partition) DO UPDATE
                   SET complete_through = greatest(w.complete_through, EXCLUDED.complete_through),
                       partition_count = greatest(w.partition_count, EXCLUDED.partition_count),
                       updated_at = EXCLUDED.updated_at
                 WHERE EXCLUDED.complete_through > w.complete_through OR EXCLUDED.partition_count > w.partition_count""",
                tx.tenant(), partition, partitionCount, completeThrough);
    }

    /**
     * The bound tenant's datasets are complete through this instant: the smallest watermark of its
     * raw topic's partitions. Empty while a partition has no watermark yet (a new tenant, a
     * partition added since), or the worker never ran.
     */
    public static Optional<Instant> completeThrough(TenantTransaction tx) throws SQLException {
        record Watermarks(Instant smallest, long partitions, int partitionCount) {
        }
        Watermarks w = tx.queryOptional("SELECT min(complete_through) AS smallest, count(*), coalesce(max(partition_count), 0) FROM pulse.ingest_watermarks",
                rs -> new Watermarks(TenantTransaction.instant(rs, "smallest"), rs.getLong(2), rs.getInt(3))).orElseThrow();
        return w.partitions() == 0 || w.partitions() < w.partitionCount() ? Optional.empty() : Optional.of(w.smallest());
    }
}
