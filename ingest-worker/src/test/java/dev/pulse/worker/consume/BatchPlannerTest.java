package dev.pulse.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.dlq.ErrorCode;
import dev.pulse.worker.lake.LakeRow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plan step of a batch alone, on records polled from Kafka's {@link MockConsumer}: which rows
 * go to which table, which records to the DLQ, where each group offset may move, and which
 * tenants wait. The routing of one record (decode, tenant, dataset, validation) is the real
 * {@link RecordRouter}'s, tested on the real stack; here a record's key names its table and the
 * value {@code poison} makes it a dead letter, {@code broken} a failing table.
 */
class BatchPlannerTest {
    final TenantId a = new TenantId(UUID.randomUUID());
    final TenantId b = new TenantId(UUID.randomUUID());
    final TopicPartition a0 = new TopicPartition(Topics.raw(a), 0);
    final TopicPartition a1 = new TopicPartition(Topics.raw(a), 1);
    final TopicPartition b0 = new TopicPartition(Topics.raw(b), 0);
    final Instant now = Instant.parse("2026-03-01T10:00:00Z");

    final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    final PartitionProgress progress = new PartitionProgress();
    final TenantPauses pauses = new TenantPauses(Duration.ofSeconds(1), Duration.ofSeconds(60));
    final BatchPlanner planner = new BatchPlanner(progress, pauses);
    /** One instance per dataset per batch, as BatchLookups hands them out; key "tenant/table". */
    final Map<String, ResolvedDataset> datasets = new HashMap<>();
    /** Per table, what the table already holds (its snapshot's next offset per partition). */
    final Map<String, Map<TopicPartition, Long>> stored = new HashMap<>();
    final Map<TopicPartition, Long> nextOffset = new HashMap<>();

    @BeforeEach
    void assign() {
        consumer.assign(List.of(a0, a1, b0));
        consumer.updateBeginningOffsets(Map.of(a0, 0L, a1, 0L, b0, 0L));
    }

    @Test
    void recordsOfTwoTenantsAndAPoisonRecordBecomeOnePlanPerTableAndOneDeadLetter() {
        add(a0, "clicks", "clicks", "poison", "clicks");
        add(a1, "views");
        add(b0, "clicks", "views");

        BatchPlan plan = plan();

        assertThat(rows(plan, a, "clicks")).containsExactly("a0@0", "a0@1", "a0@3");
        assertThat(rows(plan, a, "views")).containsExactly("a1@0");
        assertThat(rows(plan, b, "clicks")).containsExactly("b0@0");
        assertThat(rows(plan, b, "views")).containsExactly("b0@1");
        assertThat(plan.rowsByTable()).hasSize(4);
        // Tenant b's clicks table is not tenant a's, although both are called "clicks".
        assertThat(plan.rowsByTable().keySet()).extracting(ResolvedDataset::tenant).containsExactlyInAnyOrder(a, a, b, b);
        assertThat(plan.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.tenant()).isEqualTo(a);
            assertThat(d.source().topic()).isEqualTo(a0.topic());
            assertThat(d.source().offset()).isEqualTo(2);
            assertThat(d.code()).isEqualTo(ErrorCode.SCHEMA_VIOLATION);
        });
        assertThat(plan.tenants()).containsExactlyInAnyOrder(a, b);
        assertThat(plan.failed()).isEmpty();
        assertThat(plan.waiting()).isEmpty();
    }

    @Test
    void aPlanDividedByTenantGivesEachTenantOnlyItsOwnTablesDeadLettersPartitionsAndFailure() {
        add(a0, "clicks", "poison");
        add(a1, "views");
        add(b0, "broken", "poison");

        BatchPlan plan = plan();
        BatchPlan ofA = plan.forTenant(a);
        BatchPlan ofB = plan.forTenant(b);

        assertThat(ofA.rowsByTable().keySet()).extracting(ResolvedDataset::tenant).containsOnly(a).hasSize(2);
        assertThat(ofA.deadLetters()).extracting(DeadLetter::tenant).containsExactly(a);
        assertThat(ofA.positions()).containsExactlyInAnyOrderEntriesOf(Map.of(a0, 2L, a1, 1L));
        assertThat(ofA.failed()).isEmpty();
        assertThat(ofA.tenants()).containsExactly(a);
        assertThat(ofB.rowsByTable()).isEmpty();
        assertThat(ofB.failed()).containsOnlyKeys(b);
        assertThat(ofB.positions()).containsOnlyKeys(b0);
        assertThat(ofB.tenants()).containsExactly(b);
        // Together the parts are the plan.
        assertThat(ofA.deadLetters().size() + ofB.deadLetters().size()).isEqualTo(plan.deadLetters().size());
        assertThat(ofA.rowsByTable().size() + ofB.rowsByTable().size()).isEqualTo(plan.rowsByTable().size());
    }

    @Test
    void eachPartitionsGroupOffsetMovesToItsLastRecordPlusOne() {
        add(a0, "clicks", "clicks", "poison");
        add(b0, "views");

        assertThat(plan().positions()).containsExactlyInAnyOrderEntriesOf(Map.of(a0, 3L, b0, 1L));
    }

    @Test
    void aPositionPastTheLastRecordWinsSoLagReachesZeroOverTransactionMarkers() {
        add(a0, "clicks", "clicks");
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ZERO);
        consumer.seek(a0, 3); // the commit marker of a transaction that wrote offsets 0 and 1

        BatchPlan plan = planner.plan(records, consumer::position, this::route, now);

        assertThat(plan.positions()).containsExactlyEntriesOf(Map.of(a0, 3L));
    }

    @Test
    void aRevokedPartitionsRecordsNeverReachThePlanAndWhatTheLoopKnewOfItIsForgotten() {
        consumer.unsubscribe();
        consumer.subscribe(List.of(a0.topic(), b0.topic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                progress.forget(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        });
        consumer.rebalance(List.of(a0, b0));
        consumer.seek(a0, 0);
        consumer.seek(b0, 0);
        progress.resumed(b0, 1, Map.of("clicks", 1L), null);
        add(b0, "clicks", "clicks");

        consumer.rebalance(List.of(a0)); // b0 goes to another worker before the next poll
        add(a0, "clicks");
        BatchPlan plan = plan();

        assertThat(plan.positions()).containsOnlyKeys(a0);
        assertThat(plan.tenants()).containsExactly(a);
        assertThat(rows(plan, b, "clicks")).isEmpty();
        assertThat(progress.handledBelow(b0)).isZero();
    }

    @Test
    void aPausedTenantsRecordsAreSkippedUntilItsNextTryWhileTheOthersFlow() {
        pauses.failed(new TableFailure(a, "clicks", new IllegalStateException("metadata gone")), now);
        add(a0, "clicks", "poison");
        add(b0, "clicks");

        BatchPlan plan = plan();

        assertThat(plan.waiting()).containsExactly(a);
        assertThat(plan.tenants()).containsExactlyInAnyOrder(a, b);
        assertThat(rows(plan, a, "clicks")).isEmpty();
        assertThat(plan.deadLetters()).isEmpty();
        assertThat(plan.positions()).containsOnlyKeys(b0);
        assertThat(rows(plan, b, "clicks")).containsExactly("b0@0");
        assertThat(plan.heldBack(Set.of())).containsExactly(a);
    }

    @Test
    void aFailingTableHoldsBackItsTenantsRecordsFromThereOnButNotTheOtherTenants() {
        add(a0, "clicks", "broken", "clicks", "poison");
        add(b0, "clicks", "poison");

        BatchPlan plan = plan();

        assertThat(plan.failed()).containsOnlyKeys(a);
        assertThat(rows(plan, a, "clicks")).containsExactly("a0@0"); // planned before the failure, never committed
        assertThat(plan.deadLetters()).extracting(DeadLetter::tenant).containsExactly(b);
        Set<TenantId> heldBack = plan.heldBack(plan.failed().keySet());
        assertThat(heldBack).containsExactly(a);
        assertThat(plan.positionsExcept(heldBack)).containsExactlyEntriesOf(Map.of(b0, 2L));
    }

    @Test
    void recordsBelowTheGroupOffsetAreSkippedAndThoseATableHoldsToo() {
        progress.resumed(a0, 2, Map.of("clicks", 2L), null);
        stored.put(a + "/views", Map.of(a0, 4L));
        add(a0, "clicks", "poison", "views", "views", "views", "clicks");

        BatchPlan plan = plan();

        assertThat(rows(plan, a, "clicks")).containsExactly("a0@5");
        assertThat(rows(plan, a, "views")).containsExactly("a0@4");
        assertThat(plan.deadLetters()).isEmpty(); // offset 1 went to the DLQ before the group offset moved
    }

    @Test
    void whileHealingOnlyTheTableThatLostRowsGetsThemAgainAndTheDeadLettersOfTheStretchRepeat() {
        progress.resumed(a0, 4, Map.of("clicks", 4L, "views", 4L), new Healing(4, Set.of("clicks")));
        stored.put(a + "/clicks", Map.of(a0, 1L));
        add(a0, "clicks", "clicks", "views", "poison", "views", "clicks");

        BatchPlan plan = plan();

        assertThat(rows(plan, a, "clicks")).containsExactly("a0@1", "a0@5");
        assertThat(rows(plan, a, "views")).containsExactly("a0@4");
        assertThat(plan.deadLetters()).extracting(d -> d.source().offset()).containsExactly(3L);
    }

    BatchPlan plan() {
        return planner.plan(consumer.poll(Duration.ZERO), consumer::position, this::route, now);
    }

    /** Adds records with these keys to the partition, at its next offsets. */
    void add(TopicPartition tp, String... keys) {
        for (String key : keys) {
            long offset = nextOffset.merge(tp, 1L, Long::sum) - 1;
            consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key.getBytes(StandardCharsets.UTF_8), new byte[0]));
        }
    }

    Routing route(TenantId tenant, ConsumerRecord<byte[], byte[]> record) {
        String key = new String(record.key(), StandardCharsets.UTF_8);
        return switch (key) {
            case "poison" -> new Routing.ToDeadLetters(new DeadLetter(tenant, record, ErrorCode.SCHEMA_VIOLATION, "poison"));
            case "broken" -> new Routing.TableFailing(new TableFailure(tenant, "broken", new IllegalStateException("metadata gone")));
            default -> new Routing.ToTable(dataset(tenant, key), new LakeRow(new TopicPartition(record.topic(), record.partition()),
                    record.offset(), null, now, null));
        };
    }

    ResolvedDataset dataset(TenantId tenant, String table) {
        return datasets.computeIfAbsent(tenant + "/" + table, k -> new ResolvedDataset(tenant,
                new DatasetRecord(table, "event", 1, "tenant_" + tenant.compact(), table, "", 0, null, now), null, null,
                stored.getOrDefault(k, Map.of()), null));
    }

    /** The planned rows of the tenant's table, as "partition@offset". */
    List<String> rows(BatchPlan plan, TenantId tenant, String table) {
        List<String> out = new ArrayList<>();
        plan.rowsByTable().forEach((dataset, rows) -> {
            if (dataset.tenant().equals(tenant) && dataset.tableName().equals(table)) {
                rows.forEach(r -> out.add((r.source().topic().equals(Topics.raw(a)) ? "a" : "b") + r.source().partition() + "@" + r.offset()));
            }
        });
        return out;
    }
}
