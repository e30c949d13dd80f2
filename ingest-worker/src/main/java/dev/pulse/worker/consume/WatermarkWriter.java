package dev.pulse.worker.consume;

import dev.pulse.schemas.freshness.IngestWatermarks;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists the loop's freshness watermarks ({@link Freshness}) in {@code pulse.ingest_watermarks},
 * on a thread of its own so the loop never waits for it: every {@link Freshness#CHECK_INTERVAL},
 * one transaction through the tenant door per tenant whose watermark moved, so at most once a
 * second per tenant (with many tenants a round simply takes longer). The table keeps the larger
 * value, so a stale or late write never moves a watermark back. A failed write is logged and
 * tried again next round: the watermark is late, never wrong.
 */
public final class WatermarkWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatermarkWriter.class);

    private final TenantDatabase db;
    private final Freshness freshness;
    private final Map<TopicPartition, Freshness.PartitionWatermark> written = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pulse-watermark-writer").daemon().factory());

    public WatermarkWriter(TenantDatabase db, IngestLoop loop) {
        this.db = db;
        this.freshness = loop.freshness();
    }

    public void start() {
        long every = Freshness.CHECK_INTERVAL.toMillis();
        timer.scheduleWithFixedDelay(this::flushLogged, every, every, TimeUnit.MILLISECONDS);
    }

    private void flushLogged() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("freshness watermarks not written this round: {}", e.toString());
        }
    }

    /** Writes every tenant whose watermark moved since the last write. */
    synchronized void flush() {
        for (Map.Entry<TenantId, List<Freshness.PartitionWatermark>> tenant : freshness.byTenant().entrySet()) {
            List<Freshness.PartitionWatermark> moved = tenant.getValue().stream().filter(w -> !w.equals(written.get(w.partition()))).toList();
            if (moved.isEmpty()) {
                continue;
            }
            db.inTenant(tenant.getKey(), tx -> {
                for (Freshness.PartitionWatermark w : moved) {
                    IngestWatermarks.advance(tx, w.partition().partition(), w.partitionCount(), w.completeThrough());
                }
                return null;
            });
            moved.forEach(w -> written.put(w.partition(), w));
        }
    }

    /**
     * Per tenant, the oldest watermark among its partitions this worker holds (callable from any
     * thread): what the freshness gauge of the worker's metrics is measured from.
     */
    public Map<TenantId, java.time.Instant> completeThroughByTenant() {
        Map<TenantId, java.time.Instant> oldest = new HashMap<>();
        freshness.byTenant().forEach((tenant, partitions) -> partitions.stream().map(Freshness.PartitionWatermark::completeThrough)
                .min(java.util.Comparator.naturalOrder()).ifPresent(through -> oldest.put(tenant, through)));
        return oldest;
    }

    /** Stops the timer after a last round. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushLogged();
    }

}
