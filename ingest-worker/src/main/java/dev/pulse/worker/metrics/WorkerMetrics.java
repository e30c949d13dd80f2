package dev.pulse.worker.metrics;

import dev.pulse.schemas.metrics.MetricsConfig;
import dev.pulse.schemas.metrics.ServiceMetrics;
import dev.pulse.schemas.metrics.TenantLabels;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.consume.LoopMetrics;
import dev.pulse.worker.dlq.DeadLetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's meters. What the loop does arrives through {@link LoopMetrics} (batches, table
 * commits with their rows, Kafka transactions with their dead letters); what it has not done yet
 * is sampled once a second from the running worker ({@link #observe}): the consumer's lag per
 * partition (the Kafka client's own {@code records-lag}, against the last stable offset, so a
 * replay's open transaction is not counted), summed per tenant label, and each tenant's freshness
 * (now minus the oldest watermark among the partitions this worker holds). Per-tenant series go
 * through the {@link TenantLabels} cap; a gauge's label that no longer applies (partitions moved
 * to another worker) disappears at the next sample. Outlives a restarted {@code IngestWorker}
 * under {@code pulse dev}, so its counters keep counting.
 */
public final class WorkerMetrics implements LoopMetrics, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMetrics.class);
    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(1);

    private final ServiceMetrics service;
    private final MeterRegistry registry;
    private final TenantLabels tenants;
    private final Timer batches;
    private final Counter records;
    private final Timer kafkaCommits;
    private final MultiGauge lag;
    private final MultiGauge freshness;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pulse-worker-metrics").daemon().factory());
    private volatile Sources sources;

    /** What the gauges are sampled from: the running worker's consumer metrics and freshness watermarks. */
    public record Sources(Supplier<Map<MetricName, ? extends Metric>> consumerMetrics, Supplier<Map<TenantId, Instant>> completeThrough) {
    }

    private WorkerMetrics(ServiceMetrics service) {
        this.service = service;
        this.registry = service.registry();
        this.tenants = service.tenants();
        this.batches = Timer.builder("pulse.worker.batch").description("one batch planned and committed (tables, ledger, Kafka transaction)")
                .register(registry);
        this.records = Counter.builder("pulse.worker.records").description("records consumed in batches").register(registry);
        this.kafkaCommits = Timer.builder("pulse.worker.kafka.commit").description("a batch's Kafka transaction: dead letters and group offsets")
                .register(registry);
        this.lag = MultiGauge.builder("pulse.worker.consumer.lag").baseUnit("records")
                .description("records not yet consumed in the partitions this worker holds, per tenant label").register(registry);
        this.freshness = MultiGauge.builder("pulse.worker.freshness").baseUnit("seconds")
                .description("now minus the oldest freshness watermark of the tenant's partitions this worker holds").register(registry);
    }

    public static WorkerMetrics create(MetricsConfig config) {
        WorkerMetrics metrics = new WorkerMetrics(ServiceMetrics.create("worker", config));
        long every = SAMPLE_INTERVAL.toMillis();
        metrics.sampler.scheduleWithFixedDelay(metrics::sampleLogged, every, every, TimeUnit.MILLISECONDS);
        return metrics;
    }

    public ServiceMetrics service() {
        return service;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Samples the gauges from {@code sources} from now on (a worker started). */
    public void observe(Sources sources) {
        this.sources = sources;
    }

    /** Stops sampling {@code sources} if they are still the observed ones (a worker stopped): its gauges empty. */
    public void forget(Sources stopped) {
        if (sources == stopped) {
            sources = null;
            sampleLogged();
        }
    }

    @Override
    public void batchDone(int count, Duration took) {
        batches.record(took);
        records.increment(count);
    }

    @Override
    public void tableCommitted(TenantId tenant, long rows, Duration took) {
        String label = tenants.of(tenant);
        Timer.builder("pulse.worker.table.commit").description("one table's commit: files written, Iceberg commit, ledger")
                .tag("tenant", label).register(registry).record(took);
        Counter.builder("pulse.worker.rows.landed").description("rows committed to tenants' tables").tag("tenant", label)
                .register(registry).increment(rows);
    }

    @Override
    public void kafkaCommitted(List<DeadLetter> deadLetters, Duration took) {
        kafkaCommits.record(took);
        // Counted per (tenant label, reason) first: a flood of bad events is one counter update, not one per record.
        Map<List<String>, Integer> counts = new HashMap<>();
        for (DeadLetter deadLetter : deadLetters) {
            counts.merge(List.of(tenants.of(deadLetter.tenant()), deadLetter.code().wireName()), 1, Integer::sum);
        }
        counts.forEach((labels, count) -> Counter.builder("pulse.worker.dead.letters").description("records sent to tenants' DLQ topics, by reason")
                .tags("tenant", labels.get(0), "reason", labels.get(1)).register(registry).increment(count));
    }

    private void sampleLogged() {
        try {
            sample(Instant.now());
        } catch (RuntimeException e) {
            LOG.debug("worker gauges not sampled this round: {}", e.toString());
        }
    }

    /** One round of the gauges; synchronized with {@link #forget}'s last round. */
    synchronized void sample(Instant now) {
        Sources current = sources;
        Map<String, Double> lagByLabel = new HashMap<>();
        Map<String, Double> ageByLabel = new HashMap<>();
        if (current != null) {
            for (Map.Entry<MetricName, ? extends Metric> e : current.consumerMetrics().get().entrySet()) {
                MetricName name = e.getKey();
                if (!name.name().equals("records-lag") || !name.group().equals("consumer-fetch-manager-metrics")) {
                    continue;
                }
                Optional<TenantId> tenant = tenantOfTopicTag(name.tags().get("topic"));
                if (tenant.isEmpty() || !(e.getValue().metricValue() instanceof Double value) || value.isNaN()) {
                    continue;
                }
                lagByLabel.merge(tenants.of(tenant.get()), value, Double::sum);
            }
            // "other" holds many tenants: its freshness is the worst of them.
            current.completeThrough().get().forEach((tenant, through) -> ageByLabel.merge(tenants.of(tenant),
                    Math.max(0, Duration.between(through, now).toMillis() / 1000.0), Math::max));
        }
        lag.register(rows(lagByLabel), true);
        freshness.register(rows(ageByLabel), true);
    }

    private static List<MultiGauge.Row<?>> rows(Map<String, Double> values) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        values.forEach((label, value) -> rows.add(MultiGauge.Row.of(Tags.of("tenant", label), value)));
        return rows;
    }

    /** The consumer's metric tags name a topic with its dots as underscores; a tenant topic has no underscore of its own. */
    static Optional<TenantId> tenantOfTopicTag(String topic) {
        if (topic == null) {
            return Optional.empty();
        }
        return Topics.tenantOf(topic.replace('_', '.'));
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        service.close();
    }
}
