package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The background batch of the worker's loop (package documentation of {@code dev.pulse.worker}):
 * a flooding tenant's batch commits its tables on threads of its own while the loop serves the
 * other tenants.
 */
class BackgroundBatchIT {
    static final int BATCH = 500;
    static final int FLOOD = 5_000;
    static WorkerFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = new WorkerFixture();
    }

    @AfterAll
    static void tearDown() {
        fixture.close();
    }

    /**
     * The background batch: a flooding tenant's batch is stuck between its Parquet files and its
     * table commit (held at the crash hook, as a slow disk or catalog would hold it), and the quiet
     * tenant's events still land, one after the other, in their own batches; nothing of the flood
     * is committed meanwhile. Released, the flood's batch finishes and every record of both is in
     * its table exactly once. Without the background batch the loop waits for the flood's table
     * before it polls again, and the quiet events wait as long as the flood is stuck.
     */
    @Test
    void aQuietTenantsEventsLandWhileAFloodingTenantsBatchIsStuckInItsTableCommit() throws Exception {
        String group = "fair-share-stuck-" + UUID.randomUUID();
        TenantId flood = fixture.tenantWithDataset("clicks").id();
        TenantId quiet = fixture.tenantWithDataset("clicks").id();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stuck = new java.util.concurrent.atomic.AtomicBoolean();
        dev.pulse.worker.consume.CrashPoints holdFlood = (point, tenants) -> {
            if (point == dev.pulse.worker.consume.CrashPoint.AFTER_FILES_WRITTEN && tenants.contains(flood)) {
                stuck.set(true);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        fixture.produce(quiet, "clicks", "warm-up", "{\"url\": \"/w\"}");
        FairShareIT.produceFlood(fixture, flood, FLOOD);
        IngestWorker stuckWorker = IngestWorker.start(fixture.config(group, Map.of("PULSE_WORKER_MAX_BATCH_RECORDS", Integer.toString(BATCH))),
                holdFlood, KafkaClients.NEW);
        try {
            await().atMost(Duration.ofSeconds(60)).until(stuck::get);
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.eventIds(quiet, "clicks").contains("warm-up"));
            for (int i = 1; i <= 3; i++) {
                String id = "quiet-" + i;
                fixture.produce(quiet, "clicks", id, "{\"url\": \"/quiet\"}");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> fixture.eventIds(quiet, "clicks").contains(id));
            }
            assertThat(fixture.eventIds(flood, "clicks")).as("the flood's batch is still stuck").isEmpty();
            assertThat(stuckWorker.failure()).isEmpty();
        } finally {
            release.countDown();
        }
        try {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> FairShareIT.lag(fixture, group, flood) == 0);
            assertThat(fixture.eventIds(flood, "clicks")).hasSize(FLOOD).doesNotHaveDuplicates();
            assertThat(fixture.eventIds(quiet, "clicks")).containsExactlyInAnyOrder("warm-up", "quiet-1", "quiet-2", "quiet-3");
            assertThat(stuckWorker.failure()).isEmpty();
        } finally {
            stuckWorker.close();
        }
    }

}
