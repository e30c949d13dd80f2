package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.schemas.naming.TenantId;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Partitions move between live workers of one group while events flow: nothing lost, nothing twice. */
class RebalanceIT {
    @Test
    void eventsFlowingWhileWorkersJoinAndLeaveLandExactlyOnce() {
        WorkerFixture fixture = new WorkerFixture();
        TenantId tenant = fixture.tenantWithDataset("stream").id();
        String group = "rebalance-" + UUID.randomUUID();
        IngestWorker first = IngestWorker.start(fixture.config(group));
        IngestWorker second = null;
        try {
            produce(fixture, tenant, 0, 100);
            second = IngestWorker.start(fixture.config(group));
            produce(fixture, tenant, 100, 200);
            first.close();
            produce(fixture, tenant, 200, 300);
            fixture.awaitCaughtUp(group, tenant);

            List<String> ids = fixture.eventIds(tenant, "stream");
            assertThat(ids).hasSize(300);
            assertThat(new HashSet<>(ids)).hasSize(300);
            assertThat(fixture.ledger(tenant, "stream").stream().mapToLong(row -> row.get(4)).sum()).isEqualTo(300);
            assertThat(fixture.dataset(tenant, "stream").rowCount()).isEqualTo(300);
            assertThat(first.failure()).isEmpty();
            assertThat(second.failure()).isEmpty();
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
            fixture.close();
        }
    }

    private static void produce(WorkerFixture fixture, TenantId tenant, int from, int to) {
        for (int i = from; i < to; i++) {
            fixture.produce(tenant, "stream", "s" + (10_000 + i), "{\"url\": \"/s\", \"n\": " + i + "}");
        }
    }
}
