package dev.pulse.worker;

import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.lake.OffsetRange;
import dev.pulse.worker.lake.SnapshotOffsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A benchmark, not a test (not matched by Failsafe's *IT pattern): worker restart-to-first-commit
 * on a table with a short and a long history. Run it with
 * {@code mvn -B -o -pl ingest-worker -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=RestartCostBench -Dfailsafe.failIfNoSpecifiedTests=false}.
 * The history is cheap: empty appends carrying a partition's summaries (partition 2 of the
 * tenant's topic, which gets no records), committed a thousand per Iceberg transaction; the events
 * go to partition 0.
 */
class RestartCostBench {
    @ParameterizedTest
    @ValueSource(ints = {10, 10_000})
    void restartToFirstCommit(int history) throws Exception {
        WorkerFixture fixture = new WorkerFixture();
        TenantId tenant = fixture.stack.newTenant().id(); // standard tier: three partitions
        fixture.createDataset(tenant, "clicks");
        Table table = fixture.table(tenant, "clicks");
        long built = System.nanoTime();
        appendHistory(table, new TopicPartition(Topics.raw(tenant), 2), history);
        long builtMs = (System.nanoTime() - built) / 1_000_000;
        String group = "restart-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();
        try (IngestWorker first = IngestWorker.start(fixture.config(group, instance))) {
            produce(fixture, tenant, "before");
            await().atMost(Duration.ofMinutes(5)).until(() -> fixture.eventIds(tenant, "clicks").contains("before"));
        }
        produce(fixture, tenant, "after");
        long started = System.nanoTime();
        try (IngestWorker restarted = IngestWorker.start(fixture.config(group, instance))) {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> fixture.eventIds(tenant, "clicks").contains("after"));
            long ms = (System.nanoTime() - started) / 1_000_000;
            table.refresh();
            System.out.printf("RESTART-COST history=%d snapshots (built in %d ms): restart to first commit %d ms (table now %d snapshots)%n",
                    history, builtMs, ms, java.util.stream.StreamSupport.stream(table.snapshots().spliterator(), false).count());
        } finally {
            fixture.close();
        }
    }

    private static void produce(WorkerFixture fixture, TenantId tenant, String id) {
        fixture.produceTo(Topics.raw(tenant), 0, tenant.toString(), id, WorkerFixture.envelope("clicks", id, "{\"url\": \"/a\"}"));
    }

    private static void appendHistory(Table table, TopicPartition tp, int commits) {
        int done = 0;
        while (done < commits) {
            table.refresh();
            Transaction tx = table.newTransaction();
            Map<TopicPartition, Long> offsets = new HashMap<>(SnapshotOffsets.stored(table));
            for (int i = 0; i < 1_000 && done < commits; i++, done++) {
                long next = offsets.getOrDefault(tp, 0L);
                offsets.put(tp, next + 1);
                AppendFiles append = tx.newFastAppend();
                append.set(SnapshotOffsets.OFFSETS, SnapshotOffsets.formatOffsets(offsets));
                append.set(SnapshotOffsets.COMMIT, SnapshotOffsets.formatCommit(Map.of(tp, new OffsetRange(next, next + 1, 1))));
                append.set(SnapshotOffsets.MAX_EVENT_TIME, Instant.parse("2026-03-01T10:00:00Z").toString());
                append.commit();
            }
            tx.commitTransaction();
        }
        table.refresh();
    }
}
