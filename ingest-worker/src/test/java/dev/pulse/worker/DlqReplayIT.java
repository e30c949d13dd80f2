package dev.pulse.worker;

import static dev.pulse.worker.WorkerFixture.header;
import static dev.pulse.worker.WorkerFixture.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.dlq.DlqReplay;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DlqReplayIT {
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

            // The operator fixes the cause of one failure, then replays.
            fixture.createDataset(tenant, "later");
            DlqReplay.ReplayResult first = DlqReplay.replay(config, tenant);
            assertThat(first).isEqualTo(new DlqReplay.ReplayResult(2, 1));
            fixture.awaitCaughtUp(group, tenant);

            assertThat(fixture.eventIds(tenant, "later")).containsExactly("early-bird");
            assertThat(fixture.eventIds(tenant, "clicks")).isEmpty();
            List<ConsumerRecord<byte[], byte[]>> dlq = fixture.deadLetters(tenant);
            assertThat(dlq).extracting(WorkerFixture::key).containsExactlyInAnyOrder("early-bird", "still-bad", "foreign", "still-bad");
            List<ConsumerRecord<byte[], byte[]>> stillBad = dlq.stream().filter(r -> key(r).equals("still-bad")).toList();
            assertThat(stillBad).extracting(r -> header(r, DeadLetter.ATTEMPT)).containsExactlyInAnyOrder("1", "2");
            assertThat(stillBad).extracting(r -> header(r, DeadLetter.FIRST_FAILURE_AT)).containsOnly(header(stillBad.getFirst(), DeadLetter.FIRST_FAILURE_AT));

            // A second run offers only what arrived since the first: the record that failed again.
            assertThat(DlqReplay.replay(config, tenant)).isEqualTo(new DlqReplay.ReplayResult(1, 0));
            fixture.awaitCaughtUp(group, tenant);
            assertThat(fixture.eventIds(tenant, "later")).containsExactly("early-bird");
        } finally {
            fixture.close();
        }
    }
}
