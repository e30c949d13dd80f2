package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.usage.UsageMetric;
import dev.pulse.schemas.usage.UsageMinutes;
import dev.pulse.schemas.usage.UsageRecord;
import dev.pulse.schemas.usage.UsageTopic;
import dev.pulse.worker.consume.CrashPoint;
import dev.pulse.worker.lake.SnapshotOffsets;
import dev.pulse.worker.usage.UsageMetering;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Snapshot;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Usage metering on the real stack: the worker's Kafka transactions carry "rows landed" and
 * "events dead-lettered", the usage topology (Kafka Streams, exactly_once_v2) sums them into
 * {@code pulse.usage_minutes}. The worker is killed between its table commit and its Kafka
 * transaction (the two crash points where the table holds rows the transaction never counted):
 * rows landed must still equal the rows in the table, never less and never more.
 */
class UsageMeteringIT {
    static WorkerFixture fixture;
    static UsageMetering metering;

    @BeforeAll
    static void setUp() throws Exception {
        fixture = new WorkerFixture();
        Path state = Files.createTempDirectory("pulse-usage-it");
        metering = UsageMetering.start(fixture.config("usage-it", Map.of("PULSE_USAGE_STATE_DIR", state.toString())));
    }

    @AfterAll
    static void tearDown() {
        metering.close();
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(value = CrashPoint.class, names = {"AFTER_TABLE_COMMIT", "BEFORE_KAFKA_COMMIT"})
    void rowsLandedEqualTheTableRowsWhenTheWorkerDiesBetweenTableAndKafkaTransaction(CrashPoint point) {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "usage-" + point + "-" + UUID.randomUUID();
        Map<String, String> restartable = Map.of("PULSE_WORKER_INSTANCE_ID", "replica-" + UUID.randomUUID(),
                "PULSE_WORKER_SESSION_TIMEOUT_MS", "6000");
        for (int i = 0; i < 5; i++) {
            fixture.produce(tenant, "events", "first-" + i, "{\"url\": \"/" + i + "\"}");
        }
        AtomicBoolean armed = new AtomicBoolean();
        ProcessKill kill = ProcessKill.when((reached, tenants) -> reached == point && armed.get() && tenants.contains(tenant));
        kill.start(fixture.config(group, restartable));
        IngestWorker successor = null;
        try {
            fixture.awaitCaughtUp(group, tenant);
            // The second batch dies with its rows in the table and its Kafka transaction not committed.
            armed.set(true);
            for (int i = 0; i < 7; i++) {
                fixture.produce(tenant, "events", "second-" + i, "{\"url\": \"/" + i + "\"}");
            }
            for (int i = 0; i < 3; i++) {
                fixture.produce(tenant, "events", "bad-" + i, "{\"n\": \"not a number\"}");
            }
            await().atMost(Duration.ofSeconds(60)).until(kill::killed);
            assertThat(fixture.rows(tenant, "events")).hasSizeGreaterThan(5);
            kill.dropConsumer();

            successor = IngestWorker.start(fixture.config(group, restartable));
            fixture.awaitCaughtUp(group, tenant);
            assertThat(fixture.eventIds(tenant, "events")).hasSize(12);

            assertCountedOnceEach(tenant, 12, Map.of("schema-violation", 3L));
        } finally {
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }

    @Test
    void rowsLandedAreExactWhenTheFirstBatchOfANewPartitionDiesAfterItsTableCommit() {
        // No group offset yet: the commits to count again are found by the table's young snapshots.
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "usage-first-" + UUID.randomUUID();
        Map<String, String> restartable = Map.of("PULSE_WORKER_INSTANCE_ID", "replica-" + UUID.randomUUID(),
                "PULSE_WORKER_SESSION_TIMEOUT_MS", "6000");
        for (int i = 0; i < 9; i++) {
            fixture.produce(tenant, "events", "only-" + i, "{\"url\": \"/" + i + "\"}");
        }
        fixture.produce(tenant, "events", "bad", "{\"n\": \"not a number\"}");
        ProcessKill kill = ProcessKill.at(CrashPoint.AFTER_TABLE_COMMIT, tenant);
        kill.start(fixture.config(group, restartable));
        IngestWorker successor = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(kill::killed);
            assertThat(fixture.rows(tenant, "events")).isNotEmpty();
            kill.dropConsumer();
            successor = IngestWorker.start(fixture.config(group, restartable));
            fixture.awaitCaughtUp(group, tenant);
            assertCountedOnceEach(tenant, 9, Map.of("schema-violation", 1L));
        } finally {
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }

    @Test
    void aCountSentTwiceWithOneIdCountsOnceAndWhatIsNoUsageRecordOfItsKeysTenantIsSkipped() {
        TenantId tenant = fixture.stack.newTenant().id();
        TenantId other = fixture.stack.newTenant().id();
        Instant now = Instant.now();
        UsageRecord landed = new UsageRecord(tenant, now, UsageMetric.ROWS_LANDED, "events", 5, "landed/test/" + UUID.randomUUID());
        send(tenant, landed.toJson());
        send(tenant, "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // Keyed by another tenant than the one it names: neither tenant's.
        send(other, UsageRecord.of(tenant, now, UsageMetric.ROWS_LANDED, "events", 1000).toJson());
        send(tenant, landed.toJson());
        // What the dead-letter tooling sends (replay in its transaction; drop with the dead letter's id, maybe twice).
        send(tenant, UsageRecord.deadLettersReplayed(tenant, now, "schema-violation", 2).toJson());
        send(tenant, UsageRecord.deadLetterDropped(tenant, now, "schema-violation", "dl-1").toJson());
        send(tenant, UsageRecord.deadLetterDropped(tenant, now, "schema-violation", "dl-1").toJson());

        await().atMost(Duration.ofSeconds(60)).until(() -> total(tenant, UsageMetric.DEAD_LETTERS_DROPPED).equals(Map.of("schema-violation", 1L)));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                total(tenant, UsageMetric.ROWS_LANDED).equals(Map.of("events", 5L))
                        && total(tenant, UsageMetric.DEAD_LETTERS_REPLAYED).equals(Map.of("schema-violation", 2L))
                        && total(tenant, UsageMetric.DEAD_LETTERS_DROPPED).equals(Map.of("schema-violation", 1L)));
        assertThat(total(other, UsageMetric.ROWS_LANDED)).isEmpty();
    }

    private static void send(TenantId key, byte[] value) {
        fixture.produceRaw(UsageTopic.NAME, null, key.toString(), value);
    }

    /**
     * The usage topic holds a "rows landed" record for every worker commit of the table (some
     * twice: re-sent after the kill), and the topology's minutes add up to the table's rows, and
     * stay there; dead letters counted once per dead letter.
     */
    private static void assertCountedOnceEach(TenantId tenant, long tableRows, Map<String, Long> deadLettered) {
        Set<String> commits = new HashSet<>();
        long snapshotRows = 0;
        for (Snapshot s : fixture.table(tenant, "events").snapshots()) {
            if (!SnapshotOffsets.commitOf(s).isEmpty()) {
                commits.add(fixture.table(tenant, "events").name() + "/" + s.snapshotId());
                snapshotRows += Long.parseLong(s.summary().get("added-records"));
            }
        }
        assertThat(snapshotRows).isEqualTo(tableRows);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(landedIdsSent(tenant)).isEqualTo(commits));
        await().atMost(Duration.ofSeconds(60)).until(() -> total(tenant, UsageMetric.ROWS_LANDED).getOrDefault("events", 0L) >= tableRows
                && total(tenant, UsageMetric.EVENTS_DEAD_LETTERED).equals(deadLettered));
        // And it stays there: a copy counted late would show up within a few commits of the topology.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10))
                .until(() -> total(tenant, UsageMetric.ROWS_LANDED).equals(Map.of("events", tableRows)));
        assertThat(total(tenant, UsageMetric.EVENTS_DEAD_LETTERED)).isEqualTo(deadLettered);
    }

    /** The tenant's usage of the last day, summed per dimension, as GET /v1/usage reads it (under RLS). */
    static Map<String, Long> total(TenantId tenant, UsageMetric metric) {
        Instant now = Instant.now();
        List<UsageMinutes.Row> rows = fixture.stack.db().inTenant(tenant,
                tx -> UsageMinutes.read(tx, now.minus(Duration.ofDays(1)), now.plus(Duration.ofHours(1)), UsageMinutes.Granularity.DAY));
        Map<String, Long> out = new HashMap<>();
        rows.stream().filter(r -> r.metric().equals(metric.wireName())).forEach(r -> out.merge(r.dimension(), r.count(), Long::sum));
        return out;
    }

    /** The ids ("&lt;table&gt;/&lt;snapshot&gt;") of the committed "rows landed" records of the tenant on the usage topic. */
    private static Set<String> landedIdsSent(TenantId tenant) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.stack.bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(UsageTopic.NAME).stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    UsageRecord.parse(record.value()).filter(u -> u.tenant().equals(tenant) && u.metric() == UsageMetric.ROWS_LANDED)
                            .ifPresent(u -> ids.add(u.id().substring("landed/".length())));
                }
            }
        }
        return ids;
    }
}
