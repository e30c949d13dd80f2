package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.deadletters.DeadLetterFilter;
import dev.pulse.schemas.deadletters.DeadLetterRow;
import dev.pulse.schemas.deadletters.DeadLetterState;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.consume.CrashPoint;
import dev.pulse.worker.dlq.DlqReplay;
import dev.pulse.worker.dlq.ReplayCrashPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The dead-letter store on the real stack: one row per original event, exactly what the
 * committed DLQ topic says whatever crashed; filtered, patched, exactly-once replays that survive
 * the worker and the replay dying; dry runs that write nothing; drop and park.
 */
class DeadLetterStoreIT {
    static WorkerFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = new WorkerFixture();
    }

    @AfterAll
    static void tearDown() {
        fixture.close();
    }

    private static List<DeadLetterRow> rows(TenantId tenant) {
        return fixture.stack.db().inTenant(tenant, tx -> DeadLetterStore.newest(tx, DeadLetterFilter.ALL, 10_000));
    }

    /** The trigger-kept counts (whole-day filter) equal the counts of the rows themselves (a filter that forces them). */
    private static void assertCountsAgree(TenantId tenant) {
        DeadLetterStore.CountsResult kept = fixture.stack.db().inTenant(tenant, tx -> DeadLetterStore.counts(tx, DeadLetterFilter.ALL));
        DeadLetterStore.CountsResult counted = fixture.stack.db().inTenant(tenant, tx -> DeadLetterStore.counts(tx,
                new DeadLetterFilter(null, null, Instant.EPOCH.plusSeconds(1), null, List.of(), Set.of())));
        assertThat(kept).usingRecursiveComparison().isEqualTo(counted);
        assertThat(kept.total()).isEqualTo(rows(tenant).size());
    }

    private static Map<String, DeadLetterState> states(TenantId tenant) {
        return rows(tenant).stream().collect(Collectors.toMap(DeadLetterRow::eventId, DeadLetterRow::state));
    }

    private static DlqReplay.ReplayRequest request(DeadLetterFilter filter, boolean includeParked, String dataPatch) {
        return new DlqReplay.ReplayRequest(filter, includeParked, dataPatch == null ? null : WorkerFixture.json(dataPatch), null, "operator:test");
    }

    /** Sends 2 schema violations, 1 unknown dataset, and valid events around them. */
    private static void sendMix(TenantId tenant) {
        fixture.produce(tenant, "clicks", "ok-1", "{\"url\": \"/1\"}");
        fixture.produce(tenant, "clicks", "bad-n-1", "{\"url\": \"/2\", \"n\": \"one\"}");
        fixture.produce(tenant, "later", "no-dataset", "{\"url\": \"/3\"}");
        fixture.produce(tenant, "clicks", "bad-n-2", "{\"url\": \"/4\", \"n\": \"two\"}");
        fixture.produce(tenant, "clicks", "ok-2", "{\"url\": \"/5\"}");
    }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void theStoreHoldsEachBadEventOnceAsTheTopicSaysWhereverTheWorkerDied(CrashPoint point) throws Exception {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        sendMix(tenant);
        String group = "dl-crash-" + point + "-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();
        ProcessKill kill = ProcessKill.at(point, tenant);
        kill.start(fixture.config(group, instance));
        IngestWorker successor = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(kill::killed);
            kill.dropConsumer();
            successor = IngestWorker.start(fixture.config(group, instance));
            fixture.awaitCaughtUp(group, tenant);
            List<ConsumerRecord<byte[], byte[]>> dlq = fixture.deadLetters(tenant);
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(tenant).size() == 3);

            assertThat(dlq).extracting(WorkerFixture::key).containsExactlyInAnyOrder("bad-n-1", "no-dataset", "bad-n-2");
            List<DeadLetterRow> rows = rows(tenant);
            // Exactly the topic: each row's id and DLQ coordinates are a committed DLQ record's.
            assertThat(rows).extracting(r -> r.dlqPartition() + "/" + r.dlqOffset())
                    .containsExactlyInAnyOrderElementsOf(dlq.stream().map(r -> r.partition() + "/" + r.offset()).toList());
            assertThat(rows).extracting(DeadLetterRow::id).containsExactlyInAnyOrderElementsOf(dlq.stream()
                    .map(r -> WorkerFixture.header(r, "pulse-source-partition") + "-" + WorkerFixture.header(r, "pulse-source-offset")).toList());
            assertThat(rows).allSatisfy(r -> {
                assertThat(r.state()).isEqualTo(DeadLetterState.OPEN);
                assertThat(r.attempts()).isEqualTo(1);
            });
            DeadLetterStore.CountsResult counts = fixture.stack.db().inTenant(tenant, tx -> DeadLetterStore.counts(tx, DeadLetterFilter.ALL));
            assertThat(counts.total()).isEqualTo(3);
            assertThat(counts.byReason()).containsExactlyInAnyOrderEntriesOf(Map.of("schema-violation", 2L, "unknown-dataset", 1L));
            assertThat(counts.byDataset()).containsExactlyInAnyOrderEntriesOf(Map.of("clicks", 2L, "later", 1L));
            assertCountsAgree(tenant);
            DeadLetterRow bad = rows.stream().filter(r -> "bad-n-1".equals(r.eventId())).findFirst().orElseThrow();
            assertThat(bad.violations()).extracting(DeadLetterRow.Violation::pointer).containsExactly("/data/n");
            assertThat(new String(bad.payload(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"one\"");
        } finally {
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }

    @Test
    void aFilteredPatchedReplayLandsExactlyTheSelectedEventsOnceEvenWithTheWorkerKilledMidReplay() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        String group = "dl-replay-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();
        Map<String, String> restartable = Map.of("PULSE_WORKER_INSTANCE_ID", instance, "PULSE_WORKER_SESSION_TIMEOUT_MS", "6000");
        AtomicBoolean armed = new AtomicBoolean();
        ProcessKill kill = ProcessKill.when((reached, tenants) -> reached == CrashPoint.BEFORE_KAFKA_COMMIT && armed.get() && tenants.contains(tenant));
        WorkerConfig config = fixture.config(group, restartable);
        kill.start(config);
        IngestWorker successor = null;
        try {
            sendMix(tenant);
            fixture.awaitCaughtUp(group, tenant);
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(tenant).size() == 3);

            // Replay only the schema violations, patched to a valid n; the worker dies committing them.
            armed.set(true);
            DlqReplay.ReplayResult result = DlqReplay.replay(config, fixture.stack.db(), tenant,
                    request(new DeadLetterFilter("clicks", "schema-violation", null, null, List.of(), Set.of()), false, "{\"n\": 7}"),
                    DlqReplay.Progress.NONE);
            assertThat(result.selected()).isEqualTo(2);
            assertThat(result.replayed()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(60)).until(kill::killed);
            kill.dropConsumer();
            successor = IngestWorker.start(fixture.config(group, restartable));
            fixture.awaitCaughtUp(group, tenant);

            assertThat(fixture.eventIds(tenant, "clicks")).containsExactly("bad-n-1", "bad-n-2", "ok-1", "ok-2");
            assertThat(fixture.rows(tenant, "clicks")).filteredOn(r -> ((String) r.getField("event_id")).startsWith("bad"))
                    .extracting(r -> r.getField("n")).containsOnly(7L);
            assertThat(states(tenant)).containsExactlyInAnyOrderEntriesOf(Map.of("bad-n-1", DeadLetterState.REPLAYED,
                    "bad-n-2", DeadLetterState.REPLAYED, "no-dataset", DeadLetterState.OPEN));
            // Nothing more to replay for that filter.
            assertThat(DlqReplay.replay(config, fixture.stack.db(), tenant,
                    request(new DeadLetterFilter(null, "schema-violation", null, null, List.of(), Set.of()), false, null), DlqReplay.Progress.NONE)
                    .selected()).isZero();
            // The run is audited: who, the filter, the patch, how many.
            assertThat(fixture.stack.operatorDb().auditLog(tenant, 10)).anySatisfy(e -> {
                assertThat(e.action()).isEqualTo("dlq.replay");
                assertThat(e.actor()).isEqualTo("operator:test");
                assertThat(e.detail().path("selected").asInt()).isEqualTo(2);
                assertThat(e.detail().path("patch").path("data").path("n").asInt()).isEqualTo(7);
                assertThat(e.detail().path("filter").path("reason").asText()).isEqualTo("schema-violation");
            });
        } finally {
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }

    @ParameterizedTest
    @EnumSource(ReplayCrashPoint.class)
    void aReplayThatDiesIsResumedAndSendsEachDeadLetterExactlyOnce(ReplayCrashPoint point) throws Exception {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        String group = "dl-resume-" + UUID.randomUUID();
        // One dead letter per chunk, so the replay dies between chunks.
        WorkerConfig config = fixture.config(group, Map.of("PULSE_DLQ_REPLAY_RATE", "1"));
        try (IngestWorker worker = IngestWorker.start(config)) {
            sendMix(tenant);
            fixture.awaitCaughtUp(group, tenant);
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(tenant).size() == 3);
            fixture.createDataset(tenant, "later");

            int[] chunks = {0};
            DlqReplay.CrashHook dieOnSecond = reached -> {
                if (reached == point && ++chunks[0] == 2) {
                    throw new ProcessKill.Killed(CrashPoint.BEFORE_KAFKA_COMMIT);
                }
            };
            DlqReplay.ReplayRequest fix = request(new DeadLetterFilter(null, null, null, null, List.of(), Set.of()), false, "{\"n\": 1}");
            assertThatThrownBy(() -> DlqReplay.replay(config, fixture.stack.db(), tenant, fix, DlqReplay.Progress.NONE, dieOnSecond))
                    .isInstanceOf(ProcessKill.Killed.class);
            DlqReplay.ReplayResult resumed = DlqReplay.replay(config, fixture.stack.db(), tenant, fix, DlqReplay.Progress.NONE);
            assertThat(resumed.resumedRun()).isNotNull();
            assertThat(resumed.selected()).isZero();
            fixture.awaitCaughtUp(group, tenant);

            // Three records went back, each once.
            assertThat(fixture.committedRecords(Topics.raw(tenant))).filteredOn(r -> WorkerFixture.header(r, DlqReplay.DEAD_LETTER_ID) != null)
                    .extracting(r -> WorkerFixture.header(r, DlqReplay.DEAD_LETTER_ID)).doesNotHaveDuplicates().hasSize(3);
            assertThat(fixture.eventIds(tenant, "clicks")).containsExactly("bad-n-1", "bad-n-2", "ok-1", "ok-2");
            assertThat(fixture.eventIds(tenant, "later")).containsExactly("no-dataset");
            assertThat(states(tenant).values()).containsOnly(DeadLetterState.REPLAYED);
            assertCountsAgree(tenant);
        }
    }

    @Test
    void aDryRunCountsWhatWouldLandAndWritesNothing() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        String group = "dl-dry-" + UUID.randomUUID();
        WorkerConfig config = fixture.config(group);
        try (IngestWorker worker = IngestWorker.start(config)) {
            sendMix(tenant);
            fixture.awaitCaughtUp(group, tenant);
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(tenant).size() == 3);
            long rawEnd = rawEnd(tenant);
            List<DeadLetterRow> before = rows(tenant);

            // Patched, the violations would land; the unknown dataset would still fail.
            DlqReplay.DryRunResult dry = DlqReplay.dryRun(fixture.stack.db(), tenant, request(DeadLetterFilter.ALL, false, "{\"n\": 3}"));
            assertThat(dry.selected()).isEqualTo(3);
            assertThat(dry.wouldLand()).isEqualTo(2);
            assertThat(dry.wouldFail()).containsExactlyEntriesOf(Map.of("unknown-dataset", 1));
            DlqReplay.DryRunResult unpatched = DlqReplay.dryRun(fixture.stack.db(), tenant, request(DeadLetterFilter.ALL, false, null));
            assertThat(unpatched.wouldFail()).containsExactlyInAnyOrderEntriesOf(Map.of("unknown-dataset", 1, "schema-violation", 2));

            assertThat(rawEnd(tenant)).isEqualTo(rawEnd);
            assertThat(rows(tenant)).usingRecursiveFieldByFieldElementComparator().containsExactlyInAnyOrderElementsOf(before);
        }
    }

    @Test
    void aDeadLetterFailingItsReplaysIsParkedAndADroppedOneIsNeverReplayed() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        String group = "dl-park-" + UUID.randomUUID();
        WorkerConfig config = fixture.config(group, Map.of("PULSE_DLQ_PARK_AFTER", "1"));
        try (IngestWorker worker = IngestWorker.start(config)) {
            sendMix(tenant);
            fixture.awaitCaughtUp(group, tenant);
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(tenant).size() == 3);

            // Drop the unknown-dataset one; replay the rest unfixed: they fail once more and are parked.
            int dropped = fixture.stack.db().inTenant(tenant, tx -> DeadLetterStore.drop(tx,
                    new DeadLetterFilter(null, "unknown-dataset", null, null, List.of(), Set.of()), "operator:test", Instant.now()));
            assertThat(dropped).isEqualTo(1);
            assertThat(DlqReplay.replay(config, fixture.stack.db(), tenant, request(DeadLetterFilter.ALL, false, null), DlqReplay.Progress.NONE)
                    .replayed()).isEqualTo(2);
            fixture.awaitCaughtUp(group, tenant);
            await().atMost(Duration.ofSeconds(30)).until(() -> states(tenant).get("bad-n-1") == DeadLetterState.PARKED
                    && states(tenant).get("bad-n-2") == DeadLetterState.PARKED);
            assertThat(rows(tenant)).filteredOn(r -> r.eventId().startsWith("bad")).extracting(DeadLetterRow::attempts).containsOnly(2);
            // Still one row per original event, though the topic has two records for each.
            assertThat(rows(tenant)).hasSize(3);
            assertThat(fixture.deadLetters(tenant)).hasSize(5);

            // Later replays skip parked and dropped ones unless asked for parked ones explicitly.
            assertThat(DlqReplay.replay(config, fixture.stack.db(), tenant, request(DeadLetterFilter.ALL, false, null), DlqReplay.Progress.NONE)
                    .selected()).isZero();
            DlqReplay.ReplayResult parked = DlqReplay.replay(config, fixture.stack.db(), tenant,
                    request(DeadLetterFilter.ALL, true, "{\"n\": 5}"), DlqReplay.Progress.NONE);
            assertThat(parked.selected()).isEqualTo(2);
            fixture.awaitCaughtUp(group, tenant);
            assertThat(fixture.eventIds(tenant, "clicks")).containsExactly("bad-n-1", "bad-n-2", "ok-1", "ok-2");
            assertThat(states(tenant)).containsEntry("no-dataset", DeadLetterState.DROPPED);
            await().atMost(Duration.ofSeconds(30)).until(() -> states(tenant).values().stream().filter(st -> st == DeadLetterState.REPLAYED).count() == 2);
            assertCountsAgree(tenant);
            assertThat(fixture.stack.db().inTenant(tenant, tx -> DeadLetterStore.counts(tx, DeadLetterFilter.ALL)).byState())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("replayed", 2L, "dropped", 1L));
        }
    }

    @Test
    void anotherTenantsTransactionSeesNoneOfTheDeadLetters() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        TenantId other = fixture.tenantWithDataset("clicks").id();
        String group = "dl-iso-" + UUID.randomUUID();
        try (IngestWorker worker = IngestWorker.start(fixture.config(group))) {
            sendMix(tenant);
            fixture.awaitCaughtUp(group, tenant);
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(tenant).size() == 3);
            String id = rows(tenant).getFirst().id();
            assertThat(rows(other)).isEmpty();
            java.util.Optional<DeadLetterRow> found = fixture.stack.db().inTenant(other, tx -> DeadLetterStore.find(tx, id));
            assertThat(found).isEmpty();
            int dropped = fixture.stack.db().inTenant(other, tx -> DeadLetterStore.drop(tx, DeadLetterFilter.ALL, "x", Instant.now()));
            assertThat(dropped).isZero();
            assertThat(states(tenant).values()).containsOnly(DeadLetterState.OPEN);
        }
    }

    private static long rawEnd(TenantId tenant) throws Exception {
        return fixture.endOffsets(Topics.raw(tenant)).values().stream().mapToLong(Long::longValue).sum();
    }
}
