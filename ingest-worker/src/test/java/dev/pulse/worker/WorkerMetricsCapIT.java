package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.control.testing.PrometheusText;
import dev.pulse.schemas.metrics.TenantLabels;
import dev.pulse.schemas.naming.TenantId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tenant label cap of the worker's metrics, with more tenants than the cap. A class of its
 * own: the capped worker must be the only one landing these tenants' rows (a second group finds
 * them already in the tables and, exactly once, lands nothing).
 */
class WorkerMetricsCapIT {
    static WorkerFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new WorkerFixture();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void withMoreTenantsThanTheCapTheRestAreCountedUnderOther() {
        List<TenantId> tenants = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TenantId tenant = fixture.tenantWithDataset("clicks").id();
            tenants.add(tenant);
            for (int n = 0; n <= i; n++) {
                fixture.produce(tenant, "clicks", "cap-" + n, WorkerMetricsIT.good(n));
            }
            fixture.produce(tenant, "clicks", "cap-bad", "{\"n\": 1}");
        }
        try (IngestWorker capped = IngestWorker.start(fixture.config("metrics-cap-" + UUID.randomUUID(),
                Map.of("PULSE_METRICS_TENANT_LABELS", "2")))) {
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                PrometheusText metrics = WorkerMetricsIT.scrape(capped, fixture.stack.environment().get("PULSE_OPERATOR_TOKEN"));
                Set<String> labels = metrics.labelValues("pulse_worker_rows_landed_total", "tenant");
                assertThat(labels).hasSizeLessThanOrEqualTo(3).contains(TenantLabels.OTHER);
                double mine = metrics.sum("pulse_worker_rows_landed_total", Map.of("tenant", TenantLabels.OTHER));
                for (TenantId tenant : tenants) {
                    mine += metrics.sum("pulse_worker_rows_landed_total", Map.of("tenant", tenant.toString()));
                }
                assertThat(mine).isGreaterThanOrEqualTo(1 + 2 + 3 + 4);
                for (String metric : List.of("pulse_worker_dead_letters_total", "pulse_worker_table_commit_seconds_count",
                        "pulse_worker_consumer_lag_records", "pulse_worker_freshness_seconds")) {
                    assertThat(metrics.labelValues(metric, "tenant")).as(metric).hasSizeLessThanOrEqualTo(3)
                            .allSatisfy(l -> assertThat(l.equals(TenantLabels.OTHER) || TenantId.tryParse(l).isPresent()).as(l).isTrue());
                }
                assertThat(metrics.sum("pulse_worker_dead_letters_total", Map.of())).isGreaterThanOrEqualTo(4);
            });
        }
    }

}
