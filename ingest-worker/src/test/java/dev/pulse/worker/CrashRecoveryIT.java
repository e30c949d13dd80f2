package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.consume.CrashPoint;
import dev.pulse.worker.lake.SnapshotOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The process dies at the worst moment of a batch; a fresh worker in the same group (and with the
 * same instance id, as a restarted replica has) must leave every event in the table exactly once,
 * every bad record in the DLQ exactly once, and the ledger matching the snapshots.
 */
class CrashRecoveryIT {
    static WorkerFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = new WorkerFixture();
    }

    @AfterAll
    static void tearDown() {
        fixture.close();
    }

    @Test
    void aCleanCloseAndRestartNeitherLosesNorDuplicates() {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "restart-" + UUID.randomUUID();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expected.add("a" + i);
            fixture.produce(tenant, "events", "a" + i, "{\"url\": \"/a\"}");
        }
        fixture.produce(tenant, "events", "bad-a", "{}");
        try (IngestWorker first = IngestWorker.start(fixture.config(group))) {
            fixture.awaitCaughtUp(group, tenant);
        }
        for (int i = 0; i < 5; i++) {
            expected.add("b" + i);
            fixture.produce(tenant, "events", "b" + i, "{\"url\": \"/b\"}");
        }
        fixture.produce(tenant, "events", "bad-b", "{}");
        try (IngestWorker second = IngestWorker.start(fixture.config(group))) {
            fixture.awaitCaughtUp(group, tenant);
        }

        assertThat(fixture.eventIds(tenant, "events")).containsExactlyElementsOf(expected);
        assertThat(fixture.deadLetters(tenant)).extracting(WorkerFixture::key).containsExactlyInAnyOrder("bad-a", "bad-b");
        assertThat(fixture.dataset(tenant, "events").rowCount()).isEqualTo(10);
    }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void theProcessDyingAtAnyPointOfABatchLosesNothingAndDuplicatesNothing(CrashPoint point) {
        dieAtAndRecover(fixture, point);
    }

    /** The test above on any stack: {@link ObjectStoreCrashRecoveryIT} runs it with the warehouse in an object store. */
    static void dieAtAndRecover(WorkerFixture fixture, CrashPoint point) {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        List<String> valid = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = "v" + (100 + i);
            valid.add(id);
            fixture.produce(tenant, "events", id, "{\"url\": \"/" + i + "\", \"n\": " + i + "}");
            if (i % 5 == 0) {
                fixture.produce(tenant, "events", "bad" + i, "{\"n\": \"not a number\"}");
            }
        }
        String group = "crash-" + point + "-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();

        ProcessKill kill = ProcessKill.at(point, tenant);
        kill.start(fixture.config(group, instance));
        IngestWorker successor = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(kill::killed);
            // An Error that ends the loop is the worker's failure too: `pulse worker` exits non-zero on it.
            assertThat(kill.worker().failure()).containsInstanceOf(ProcessKill.Killed.class);
            if (point == CrashPoint.AFTER_TABLE_COMMIT) {
                // The worst case for the ledger: rows in the table, no ledger row saying so.
                assertThat(fixture.rows(tenant, "events")).isNotEmpty();
                assertThat(fixture.ledger(tenant, "events")).isEmpty();
            }
            if (point == CrashPoint.AFTER_FILES_WRITTEN) {
                assertThat(fixture.rows(tenant, "events")).isEmpty();
            }
            kill.dropConsumer();

            successor = IngestWorker.start(fixture.config(group, instance));
            fixture.awaitCaughtUp(group, tenant);

            assertThat(fixture.eventIds(tenant, "events")).containsExactlyElementsOf(valid);
            List<ConsumerRecord<byte[], byte[]>> dlq = fixture.deadLetters(tenant);
            assertThat(dlq).extracting(WorkerFixture::key).containsExactlyInAnyOrder("bad0", "bad5", "bad10");

            Table table = fixture.table(tenant, "events");
            Set<Long> pulseSnapshots = new HashSet<>();
            long snapshotRecords = 0;
            for (Snapshot s : table.snapshots()) {
                if (!SnapshotOffsets.commitOf(s).isEmpty()) {
                    pulseSnapshots.add(s.snapshotId());
                    snapshotRecords += Long.parseLong(s.summary().get("added-records"));
                }
            }
            List<List<Long>> ledger = fixture.ledger(tenant, "events");
            assertThat(ledger.stream().map(row -> row.get(0)).collect(java.util.stream.Collectors.toSet())).isEqualTo(pulseSnapshots);
            assertThat(ledger.stream().mapToLong(row -> row.get(4)).sum()).isEqualTo(snapshotRecords).isEqualTo(12);
            assertThat(fixture.dataset(tenant, "events").rowCount()).isEqualTo(12);
            assertThat(successor.failure()).isEmpty();
        } finally {
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }

    /**
     * Tables of one batch commit at once (PULSE_WORKER_COMMIT_THREADS): one tenant's table dies at
     * a point of its commit while the other tenants' tables of the same batch go on beside it
     * (commit, or not yet). Whatever each had reached, the successor leaves every tenant's events
     * exactly once.
     */
    @ParameterizedTest
    @EnumSource(value = CrashPoint.class, names = {"AFTER_EVENT_IDS_CLAIMED", "AFTER_FILES_WRITTEN", "AFTER_TABLE_COMMIT"})
    void oneTableDyingWhileTheBatchsOtherTablesCommitBesideItLosesAndDuplicatesNothing(CrashPoint point) {
        List<TenantId> tenants = List.of(fixture.tenantWithDataset("events").id(), fixture.tenantWithDataset("events").id(),
                fixture.tenantWithDataset("events").id());
        Map<TenantId, List<String>> expected = new java.util.HashMap<>();
        for (TenantId tenant : tenants) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = tenant.value().toString().substring(0, 8) + "-" + i;
                ids.add(id);
                fixture.produce(tenant, "events", id, "{\"url\": \"/" + i + "\", \"n\": " + i + "}");
            }
            expected.put(tenant, ids);
        }
        String group = "parallel-crash-" + point + "-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();
        ProcessKill kill = ProcessKill.at(point, tenants.get(1));
        kill.start(fixture.config(group, instance));
        IngestWorker successor = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(kill::killed);
            assertThat(kill.worker().failure()).containsInstanceOf(ProcessKill.Killed.class);
            kill.dropConsumer();
            successor = IngestWorker.start(fixture.config(group, instance));
            for (TenantId tenant : tenants) {
                fixture.awaitCaughtUp(group, tenant);
            }
            for (TenantId tenant : tenants) {
                assertThat(fixture.eventIds(tenant, "events")).as("tenant %s", tenant).containsExactlyInAnyOrderElementsOf(expected.get(tenant));
                assertThat(fixture.dataset(tenant, "events").rowCount()).isEqualTo(40);
            }
            assertThat(successor.failure()).isEmpty();
        } finally {
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }

    @Test
    void aTenantCreatedWhileAReplicaWasDownIsAssignedWhenItRestarts() {
        // With static membership (group.instance.id) the restarted replica got its cached
        // assignment back without a rebalance, so this tenant's topic was never assigned.
        TenantId before = fixture.tenantWithDataset("events").id();
        String group = "pickup-" + UUID.randomUUID();
        Map<String, String> restartable = Map.of("PULSE_WORKER_INSTANCE_ID", "replica-" + UUID.randomUUID(),
                "PULSE_WORKER_SESSION_TIMEOUT_MS", "6000");
        fixture.produce(before, "events", "first", "{\"url\": \"/1\"}");
        AtomicBoolean armed = new AtomicBoolean();
        ProcessKill kill = ProcessKill.when((reached, tenants) -> reached == CrashPoint.BEFORE_KAFKA_COMMIT && armed.get() && tenants.contains(before));
        kill.start(fixture.config(group, restartable));
        IngestWorker successor = null;
        try {
            fixture.awaitCaughtUp(group, before);
            armed.set(true);
            fixture.produce(before, "events", "second", "{\"url\": \"/2\"}");
            await().atMost(Duration.ofSeconds(60)).until(kill::killed);
            kill.dropConsumer();

            TenantId created = fixture.tenantWithDataset("events").id();
            fixture.produce(created, "events", "new-tenant", "{\"url\": \"/n\"}");
            successor = IngestWorker.start(fixture.config(group, restartable));
            await().atMost(Duration.ofSeconds(45)).until(() -> fixture.eventIds(created, "events").contains("new-tenant"));
            await().atMost(Duration.ofSeconds(45)).until(() -> fixture.eventIds(before, "events").size() == 2);
            assertThat(fixture.eventIds(before, "events")).containsExactlyInAnyOrder("first", "second");
        } finally {
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }

    @Test
    void aReplicaRestartedAfterAKillResumesCommittingOnceTheKilledMembersSessionExpires() {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "restart-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();
        fixture.produce(tenant, "events", "first", "{\"url\": \"/1\"}");
        AtomicBoolean armed = new AtomicBoolean();
        ProcessKill kill = ProcessKill.when((reached, tenants) -> reached == CrashPoint.BEFORE_KAFKA_COMMIT && armed.get() && tenants.contains(tenant));
        // pulse dev's session timeout: the broker's floor (group.min.session.timeout.ms).
        Map<String, String> restartable = Map.of("PULSE_WORKER_INSTANCE_ID", instance, "PULSE_WORKER_SESSION_TIMEOUT_MS", "6000");
        WorkerConfig config = fixture.config(group, restartable);
        kill.start(config);
        IngestWorker successor = null;
        try {
            fixture.awaitCaughtUp(group, tenant);
            armed.set(true);
            fixture.produce(tenant, "events", "second", "{\"url\": \"/2\"}");
            await().atMost(Duration.ofSeconds(60)).until(kill::killed);
            // Killed with its transaction open and without leaving the group.
            kill.dropConsumer();

            long restarted = System.nanoTime();
            successor = IngestWorker.start(fixture.config(group, restartable));
            fixture.produce(tenant, "events", "third", "{\"url\": \"/3\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.eventIds(tenant, "events").size() == 3);
            fixture.awaitCaughtUp(group, tenant);
            long resumedMs = (System.nanoTime() - restarted) / 1_000_000;
            System.out.println("restarted replica committed after " + resumedMs + " ms");
            // The killed member's session (6 s) expires, the group rebalances onto the successor, and
            // its first batch commits: seconds, not the 45 s of Kafka's default session timeout.
            assertThat(resumedMs).isLessThan(20_000);
            assertThat(fixture.eventIds(tenant, "events")).containsExactly("first", "second", "third");
        } finally {
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }
}
