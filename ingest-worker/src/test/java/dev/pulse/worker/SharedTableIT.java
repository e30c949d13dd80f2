package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.consume.CrashPoint;
import dev.pulse.worker.lake.SnapshotOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Three workers of one group write ONE table: its tenant's topic has three partitions, so each
 * worker commits its own partition's rows to the same table, concurrently, while workers leave,
 * join and are killed. Every acknowledged event must land exactly once, and the table's offsets
 * map must never go backwards: a worker commit whose map was computed against an older snapshot
 * than the one it landed on drops the racing worker's newest offsets, the partition's next owner
 * then believes a table commit vanished and re-lands ("heals") rows the table holds
 * (DeploymentSystemIT's broker kill found 1 to ~30 duplicates per run).
 */
class SharedTableIT {
    private static final String DATASET = "shared";

    @Test
    void threeWorkersCommittingOneTableThroughRebalancesAndAKillLandEveryEventOnce() throws Exception {
        WorkerFixture fixture = new WorkerFixture();
        TenantId tenant = fixture.tenantWithDataset(DATASET).id();
        // One partition per worker (the test stack makes a tenant's topic with two).
        fixture.stack.kafkaAdmin().createPartitions(Map.of(Topics.raw(tenant), NewPartitions.increaseTo(3))).all().get();
        assertThat(fixture.endOffsets(Topics.raw(tenant))).hasSize(3);
        String group = "shared-" + UUID.randomUUID();
        Map<String, String> settings = Map.of("PULSE_WORKER_SESSION_TIMEOUT_MS", "6000");
        List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producer = Thread.ofPlatform().name("shared-table-producer").start(() -> {
            for (int i = 0; producing.get(); i++) {
                String id = "e" + (100_000 + i);
                fixture.produce(tenant, DATASET, id, "{\"url\": \"/s\", \"n\": " + i + "}");
                acknowledged.add(id); // produce waits for the broker's acknowledgement
            }
        });
        List<IngestWorker> workers = new ArrayList<>();
        AtomicBoolean armed = new AtomicBoolean();
        AtomicBoolean oneKill = new AtomicBoolean();
        // Whichever member commits the table first once armed dies, right after its table commit and
        // before its Kafka transaction. Every member that may hold a partition of the topic is
        // killable: the group also reads the shared stack's other tenants' topics, and the sticky
        // assignor balances all of them, so which member holds which of the table's partitions varies.
        BiPredicate<CrashPoint, Set<TenantId>> killOnce = (point, tenants) -> point == CrashPoint.AFTER_TABLE_COMMIT && armed.get()
                && tenants.contains(tenant) && oneKill.compareAndSet(false, true);
        Map<ProcessKill, String> killable = new LinkedHashMap<>();
        try {
            workers.add(startKillable(fixture, group, settings, killOnce, killable));
            IngestWorker second = IngestWorker.start(fixture.config(group, settings));
            workers.add(second);
            workers.add(startKillable(fixture, group, settings, killOnce, killable));
            Thread.sleep(6_000);

            second.close(); // leaves the group at once: a rebalance
            Thread.sleep(3_000);
            workers.add(startKillable(fixture, group, settings, killOnce, killable));
            Thread.sleep(4_000);

            armed.set(true);
            await().atMost(Duration.ofSeconds(60)).until(() -> killable.keySet().stream().anyMatch(ProcessKill::killed));
            ProcessKill kill = killable.keySet().stream().filter(ProcessKill::killed).findFirst().orElseThrow();
            kill.dropConsumer();
            Map<String, String> restarted = new HashMap<>(settings);
            restarted.put("PULSE_WORKER_INSTANCE_ID", killable.get(kill));
            workers.add(IngestWorker.start(fixture.config(group, restarted))); // the killed replica restarts
            Thread.sleep(8_000); // the killed member's session expires meanwhile: another rebalance

            producing.set(false);
            producer.join();
            fixture.awaitCaughtUp(group, tenant);

            List<String> landed = fixture.eventIds(tenant, DATASET);
            Map<String, Long> twice = landed.stream().collect(Collectors.groupingBy(id -> id, TreeMap::new, Collectors.counting()));
            twice.values().removeIf(n -> n == 1);
            System.out.printf("%d events acknowledged, %d rows landed, %d ids more than once%n", acknowledged.size(), landed.size(), twice.size());
            assertThat(offsetsGoingBackwards(fixture.table(tenant, DATASET))).as("offsets maps that went backwards").isEmpty();
            assertThat(twice).as("event ids landed more than once").isEmpty();
            assertThat(landed).as("every acknowledged event landed").containsAll(List.copyOf(acknowledged));
            assertThat(landed).hasSameSizeAs(acknowledged);
            assertThat(fixture.dataset(tenant, DATASET).rowCount()).isEqualTo(acknowledged.size());
            for (IngestWorker worker : workers) {
                if (!killedWorker(killable, worker)) {
                    assertThat(worker.failure()).isEmpty();
                }
            }
        } finally {
            producing.set(false);
            producer.join();
            for (IngestWorker worker : workers) {
                if (!killedWorker(killable, worker)) {
                    worker.close();
                }
            }
            killable.keySet().stream().filter(k -> k.worker() != null && killedWorker(killable, k.worker())).forEach(ProcessKill::discard);
            fixture.close();
        }
    }

    private static IngestWorker startKillable(WorkerFixture fixture, String group, Map<String, String> settings,
            BiPredicate<CrashPoint, Set<TenantId>> when, Map<ProcessKill, String> killable) {
        String instance = "replica-" + UUID.randomUUID();
        Map<String, String> withInstance = new HashMap<>(settings);
        withInstance.put("PULSE_WORKER_INSTANCE_ID", instance);
        ProcessKill kill = ProcessKill.when(when);
        killable.put(kill, instance);
        return kill.start(fixture.config(group, withInstance));
    }

    private static boolean killedWorker(Map<ProcessKill, String> killable, IngestWorker worker) {
        return killable.keySet().stream().anyMatch(k -> k.worker() == worker && k.killed());
    }

    /**
     * Walks the table's current ancestry oldest first: every snapshot whose offsets map counts must
     * hold every partition at least as far as the previous such map did (records are only ever
     * added). Returns one line per snapshot that breaks this.
     */
    static List<String> offsetsGoingBackwards(Table table) {
        List<Snapshot> ancestry = new ArrayList<>();
        for (Snapshot s = table.currentSnapshot(); s != null; s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
            ancestry.addFirst(s);
        }
        List<String> out = new ArrayList<>();
        Map<TopicPartition, Long> previous = Map.of();
        for (Snapshot s : ancestry) {
            if (!SnapshotOffsets.carriesOffsets(s)) {
                continue;
            }
            Map<TopicPartition, Long> offsets = SnapshotOffsets.offsetsOf(s);
            for (Map.Entry<TopicPartition, Long> e : previous.entrySet()) {
                long now = offsets.getOrDefault(e.getKey(), 0L);
                if (now < e.getValue()) {
                    out.add("snapshot " + s.snapshotId() + " holds " + e.getKey() + " up to " + now + ", its predecessor up to " + e.getValue());
                }
            }
            previous = offsets;
        }
        return out;
    }
}
