package dev.pulse.schemas.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * One service's metrics: a Prometheus registry whose every series carries {@code service}
 * ({@code api}, {@code worker} or {@code query}), the JVM's own meters, the tenant label cap
 * ({@link TenantLabels}) and who may scrape it ({@link ScrapeAccess}). Pulse's timers
 * ({@code pulse.*}) publish a fixed set of histogram buckets, 1 ms to 30 s, so a latency's
 * quantiles can be computed across replicas with {@code histogram_quantile} while each timer
 * adds only 16 series per label set.
 */
public final class ServiceMetrics implements AutoCloseable {
    /** The Prometheus text exposition format the scrape is written in. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final PrometheusMeterRegistry registry;
    private final TenantLabels tenants;
    private final ScrapeAccess access;
    private final JvmGcMetrics gc;

    private ServiceMetrics(PrometheusMeterRegistry registry, TenantLabels tenants, ScrapeAccess access, JvmGcMetrics gc) {
        this.registry = registry;
        this.tenants = tenants;
        this.access = access;
        this.gc = gc;
    }

    /** A registry for {@code service} with the JVM's meters bound. */
    public static ServiceMetrics create(String service, MetricsConfig config) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", service).meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig distribution) {
                if (!id.getName().startsWith("pulse.")) {
                    return distribution;
                }
                double[] nanos = new double[BUCKETS.length];
                for (int i = 0; i < BUCKETS.length; i++) {
                    nanos[i] = BUCKETS[i].toNanos();
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(distribution);
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return new ServiceMetrics(registry, new TenantLabels(config.tenantLabelCap()), new ScrapeAccess(config.scrapeTokens()), gc);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public TenantLabels tenants() {
        return tenants;
    }

    public ScrapeAccess access() {
        return access;
    }

    /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
