package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import dev.pulse.worker.lake.SnapshotOffsets;
import java.util.Map;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalog loses a table commit after the worker acted on it (a failover to an asynchronous
 * replica, a restore from backup): the owner points the table's catalog row back to its previous
 * metadata. The worker must notice that the table holds less than its group offset claims and
 * land the missing rows again, exactly once; dead letters of that stretch at most once more.
 */
class LostCommitIT {
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
    void aRestartedWorkerRelandsTheRowsOfAVanishedTableCommitExactlyOnce() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "lost-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();
        List<String> expected = new ArrayList<>();
        produce(tenant, "a", expected);
        String before;
        try (IngestWorker worker = IngestWorker.start(fixture.config(group, instance))) {
            fixture.awaitCaughtUp(group, tenant);
            before = metadataLocation(tenant);
            produce(tenant, "b", expected);
            fixture.produce(tenant, "events", "bad-b", "{}");
            fixture.awaitCaughtUp(group, tenant);
        }
        assertThat(fixture.eventIds(tenant, "events")).hasSize(10);

        loseCommitsSince(tenant, before);
        assertThat(fixture.eventIds(tenant, "events")).as("the catalog went back").hasSize(5);

        try (IngestWorker worker = IngestWorker.start(fixture.config(group, instance))) {
            produce(tenant, "c", expected);
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.eventIds(tenant, "events").size() >= 15);
            fixture.awaitCaughtUp(group, tenant);
            assertThat(worker.failure()).isEmpty();
        }

        assertThat(fixture.eventIds(tenant, "events")).containsExactlyInAnyOrderElementsOf(expected).hasSize(15);
        List<ConsumerRecord<byte[], byte[]>> dlq = fixture.deadLetters(tenant);
        // Sent once before the loss, at most once more while healing; a repeat names the same source record.
        assertThat(dlq).extracting(WorkerFixture::key).containsOnly("bad-b").hasSizeBetween(1, 2);
        assertThat(dlq).extracting(r -> WorkerFixture.header(r, "pulse-source-offset")).containsOnly(
                WorkerFixture.header(dlq.getFirst(), "pulse-source-offset"));
    }

    @Test
    void aRunningWorkerNoticesTheLossAtItsNextCommitAndHeals() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "lost-live-" + UUID.randomUUID();
        List<String> expected = new ArrayList<>();
        try (IngestWorker worker = IngestWorker.start(fixture.config(group))) {
            produce(tenant, "a", expected);
            fixture.awaitCaughtUp(group, tenant);
            String before = metadataLocation(tenant);
            produce(tenant, "b", expected);
            fixture.awaitCaughtUp(group, tenant);

            loseCommitsSince(tenant, before);
            produce(tenant, "c", expected);
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.eventIds(tenant, "events").size() >= 15);
            fixture.awaitCaughtUp(group, tenant);
            assertThat(worker.failure()).isEmpty();
        }
        assertThat(fixture.eventIds(tenant, "events")).containsExactlyInAnyOrderElementsOf(expected).hasSize(15);
        assertThat(fixture.deadLetters(tenant)).isEmpty();
    }

    /**
     * Not a lost commit: a table whose newest offsets map an older worker's racing append took
     * back (it landed on a commit it had not seen, with the map of the snapshot before), while
     * every commit is still in the table. The group offset claims more than the map says; a
     * restarted worker must see the commits and land nothing again.
     */
    @Test
    void aMapAnOlderWorkersRaceTookBackIsNotTakenForALostCommit() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "taken-back-" + UUID.randomUUID();
        List<String> expected = new ArrayList<>();
        try (IngestWorker worker = IngestWorker.start(fixture.config(group))) {
            produce(tenant, "a", expected);
            fixture.awaitCaughtUp(group, tenant);
            produce(tenant, "b", expected);
            fixture.awaitCaughtUp(group, tenant);
        }
        Table table = fixture.table(tenant, "events");
        Map<TopicPartition, Long> oldest = null;
        for (Snapshot s = table.currentSnapshot(); s != null; s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
            oldest = SnapshotOffsets.offsetsOf(s);
        }
        assertThat(oldest).isNotEqualTo(SnapshotOffsets.stored(table));
        // The race's trace: a newest map that went back to the first commit's, the commits all still there.
        table.newAppend().set(SnapshotOffsets.OFFSETS, SnapshotOffsets.formatOffsets(oldest)).commit();
        assertThat(SnapshotOffsets.stored(fixture.table(tenant, "events"))).isEqualTo(oldest);

        try (IngestWorker worker = IngestWorker.start(fixture.config(group))) {
            produce(tenant, "c", expected);
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.eventIds(tenant, "events").size() >= 15);
            fixture.awaitCaughtUp(group, tenant);
            assertThat(worker.failure()).isEmpty();
        }
        assertThat(fixture.eventIds(tenant, "events")).containsExactlyInAnyOrderElementsOf(expected).hasSize(15);
    }

    private static void produce(TenantId tenant, String prefix, List<String> expected) {
        for (int i = 0; i < 5; i++) {
            String id = prefix + i;
            expected.add(id);
            fixture.produce(tenant, "events", id, "{\"url\": \"/" + prefix + "\", \"n\": " + i + "}");
        }
    }

    private static String metadataLocation(TenantId tenant) {
        Table table = fixture.table(tenant, "events");
        return ((BaseTable) table).operations().current().metadataFileLocation();
    }

    /** As the catalog's owner: the table's row points at older metadata again, as after a lost commit. */
    private static void loseCommitsSince(TenantId tenant, String olderMetadata) throws Exception {
        try (Connection c = DriverManager.getConnection(fixture.stack.environment().get("PULSE_CATALOG_DATABASE_URL"));
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = NULL "
                                + "WHERE table_namespace = ? AND table_name = ?")) {
            ps.setString(1, olderMetadata);
            ps.setString(2, LakeNames.namespace(tenant).toString());
            ps.setString(3, LakeNames.tableName("events"));
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }
}
