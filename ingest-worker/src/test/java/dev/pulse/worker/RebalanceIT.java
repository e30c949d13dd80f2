package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Partitions move between live workers of one group while events flow: nothing lost, nothing twice. */
class RebalanceIT {
    @Test
    void eventsFlowingWhileWorkersJoinAndLeaveLandExactlyOnce() {
        WorkerFixture fixture = new WorkerFixture();
        TenantId tenant = fixture.tenantWithDataset("stream").id();
        String group = "rebalance-" + UUID.randomUUID();
        IngestWorker first = IngestWorker.start(fixture.config(group));
        IngestWorker second = null;
        try {
            produce(fixture, tenant, 0, 100);
            second = IngestWorker.start(fixture.config(group));
            produce(fixture, tenant, 100, 200);
            first.close();
            produce(fixture, tenant, 200, 300);
            fixture.awaitCaughtUp(group, tenant);

            List<String> ids = fixture.eventIds(tenant, "stream");
            assertThat(ids).hasSize(300);
            assertThat(new HashSet<>(ids)).hasSize(300);
            assertThat(fixture.ledger(tenant, "stream").stream().mapToLong(row -> row.get(4)).sum()).isEqualTo(300);
            assertThat(fixture.dataset(tenant, "stream").rowCount()).isEqualTo(300);
            assertThat(first.failure()).isEmpty();
            assertThat(second.failure()).isEmpty();
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
            fixture.close();
        }
    }

    /**
     * TenantAffineAssignor in a real group: with two workers, every tenant's topic is held whole by
     * one of them (one writer per table in the group), before and after a third joins, and the
     * events of both tenants land once.
     */
    @Test
    void eachTenantsTopicIsHeldWholeByOneWorkerOfTheGroup() {
        WorkerFixture fixture = new WorkerFixture();
        TenantId a = fixture.tenantWithDataset("stream").id();
        TenantId b = fixture.tenantWithDataset("stream").id();
        String group = "affine-" + UUID.randomUUID();
        IngestWorker first = IngestWorker.start(fixture.config(group));
        IngestWorker second = IngestWorker.start(fixture.config(group));
        IngestWorker third = null;
        try {
            produce(fixture, a, 0, 60);
            produce(fixture, b, 0, 60);
            awaitWholeTopics(fixture, group, 2, Set.of(Topics.raw(a), Topics.raw(b)));
            third = IngestWorker.start(fixture.config(group));
            produce(fixture, a, 60, 120);
            produce(fixture, b, 60, 120);
            awaitWholeTopics(fixture, group, 3, Set.of(Topics.raw(a), Topics.raw(b)));
            fixture.awaitCaughtUp(group, a);
            fixture.awaitCaughtUp(group, b);

            for (TenantId tenant : List.of(a, b)) {
                List<String> ids = fixture.eventIds(tenant, "stream");
                assertThat(ids).hasSize(120);
                assertThat(new HashSet<>(ids)).hasSize(120);
            }
            assertThat(first.failure()).isEmpty();
            assertThat(second.failure()).isEmpty();
            assertThat(third.failure()).isEmpty();
        } finally {
            first.close();
            second.close();
            if (third != null) {
                third.close();
            }
            fixture.close();
        }
    }

    /** Waits until the group has {@code members} members, each of {@code topics} wholly assigned, and no topic on two members. */
    private static void awaitWholeTopics(WorkerFixture fixture, String group, int members, Set<String> topics) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            var described = fixture.stack.kafkaAdmin().describeConsumerGroups(List.of(group)).all().get().get(group);
            assertThat(described.members()).hasSize(members);
            Map<String, Set<String>> holders = new HashMap<>();
            Map<String, Integer> assigned = new HashMap<>();
            for (MemberDescription member : described.members()) {
                for (TopicPartition tp : member.assignment().topicPartitions()) {
                    holders.computeIfAbsent(tp.topic(), t -> new HashSet<>()).add(member.consumerId());
                    assigned.merge(tp.topic(), 1, Integer::sum);
                }
            }
            holders.forEach((topic, who) -> assertThat(who).as("members holding %s", topic).hasSize(1));
            for (String topic : topics) {
                assertThat(assigned.get(topic)).as("assigned partitions of %s", topic).isEqualTo(fixture.endOffsets(topic).size());
            }
        });
    }

    private static void produce(WorkerFixture fixture, TenantId tenant, int from, int to) {
        for (int i = from; i < to; i++) {
            fixture.produce(tenant, "stream", "s" + (10_000 + i), "{\"url\": \"/s\", \"n\": " + i + "}");
        }
    }
}
