package dev.pulse.api.events;

import dev.pulse.schemas.metrics.ServiceMetrics;
import dev.pulse.schemas.metrics.TenantLabels;
import dev.pulse.schemas.naming.TenantId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * {@code POST /v1/events}' own meters: how long Kafka took to acknowledge a request's events
 * ({@code pulse_api_produce_seconds{outcome}}: {@code acked}, or {@code failed} when the request
 * got a 503 or 413 from the broker's side), and the events acknowledged per tenant label
 * ({@code pulse_api_events_accepted_total{tenant}}, under the {@link TenantLabels} cap).
 */
final class EventMetrics {
    private final MeterRegistry registry;
    private final TenantLabels tenants;
    private final Timer acked;
    private final Timer failed;

    EventMetrics(ServiceMetrics metrics) {
        this.registry = metrics.registry();
        this.tenants = metrics.tenants();
        this.acked = produceTimer("acked");
        this.failed = produceTimer("failed");
    }

    private Timer produceTimer(String outcome) {
        return Timer.builder("pulse.api.produce").description("one request's events sent to Kafka until every one was acknowledged (acks=all)")
                .tag("outcome", outcome).register(registry);
    }

    /** Runs {@code produce} (sends and waits for the acknowledgements), timing it by outcome. */
    void produced(Runnable produce) {
        long start = System.nanoTime();
        Timer outcome = failed;
        try {
            produce.run();
            outcome = acked;
        } finally {
            outcome.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    void accepted(TenantId tenant, int events) {
        Counter.builder("pulse.api.events.accepted").description("events Kafka acknowledged (the request got its 202)")
                .tag("tenant", tenants.of(tenant)).register(registry).increment(events);
    }
}
