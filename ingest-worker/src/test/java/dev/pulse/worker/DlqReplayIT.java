package dev.pulse.worker;

import static dev.pulse.worker.WorkerFixture.header;
import static dev.pulse.worker.WorkerFixture.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.schemas.deadletters.DeadLetterFilter;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.worker.dlq.DlqReplay;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import static org.awaitility.Awaitility.await;

class DlqReplayIT {
    private static DlqReplay.ReplayRequest everything() {
        return new DlqReplay.ReplayRequest(DeadLetterFilter.ALL, false, null, null, "operator:test");
    }

    private static long openDeadLetters(WorkerFixture fixture, TenantId tenant) {
        return fixture.stack.db().inTenant(tenant, tx -> DeadLetterStore.count(tx, DeadLetterFilter.ALL.withStates(
                java.util.Set.of(dev.pulse.schemas.deadletters.DeadLetterState.OPEN))));
    }

    @Test
    void replayMovesEachDeadLetterBackOnceAndAStillBadRecordReturnsWithTheNextAttempt() {
        WorkerFixture fixture = new WorkerFixture();
        String group = "replay-" + UUID.randomUUID();
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        WorkerConfig config = fixture.config(group);
        try (IngestWorker worker = IngestWorker.start(config)) {
            fixture.produce(tenant, "later", "early-bird", "{\"url\": \"/a\"}");
            fixture.produce(tenant, "clicks", "still-bad", "{\"n\": 1}");
            fixture.produceRaw(Topics.raw(tenant), TenantId.random().toString(), "foreign",
                    WorkerFixture.envelope("clicks", "foreign", "{\"url\": \"/x\"}"));
            fixture.awaitCaughtUp(group, tenant);
            assertThat(fixture.deadLetters(tenant)).hasSize(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> openDeadLetters(fixture, tenant) == 3);

            // The operator fixes the cause of one failure, then replays.
            fixture.createDataset(tenant, "later");
            DlqReplay.ReplayResult first = DlqReplay.replay(config, fixture.stack.db(), tenant, everything(), DlqReplay.Progress.NONE);
            // The tenant-mismatch record is never replayed: it stays open.
            assertThat(first.selected()).isEqualTo(2);
            assertThat(first.replayed()).isEqualTo(2);
            fixture.awaitCaughtUp(group, tenant);

            assertThat(fixture.eventIds(tenant, "later")).containsExactly("early-bird");
            assertThat(fixture.eventIds(tenant, "clicks")).isEmpty();
            List<ConsumerRecord<byte[], byte[]>> dlq = fixture.deadLetters(tenant);
            assertThat(dlq).extracting(WorkerFixture::key).containsExactlyInAnyOrder("early-bird", "still-bad", "foreign", "still-bad");
            List<ConsumerRecord<byte[], byte[]>> stillBad = dlq.stream().filter(r -> key(r).equals("still-bad")).toList();
            assertThat(stillBad).extracting(r -> header(r, DeadLetter.ATTEMPT)).containsExactlyInAnyOrder("1", "2");
            assertThat(stillBad).extracting(r -> header(r, DeadLetter.FIRST_FAILURE_AT)).containsOnly(header(stillBad.getFirst(), DeadLetter.FIRST_FAILURE_AT));

            // A second run offers only what is open again: the record that failed again (and never the mismatch).
            await().atMost(Duration.ofSeconds(30)).until(() -> openDeadLetters(fixture, tenant) == 2);
            assertThat(DlqReplay.replay(config, fixture.stack.db(), tenant, everything(), DlqReplay.Progress.NONE).replayed()).isEqualTo(1);
            fixture.awaitCaughtUp(group, tenant);
            assertThat(fixture.eventIds(tenant, "later")).containsExactly("early-bird");
        } finally {
            fixture.close();
        }
    }
}
