package dev.pulse.cli.doctor;

import dev.pulse.schemas.tenancy.Finding;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnstableOffsetCommitException;

/**
 * Every consumer group's committed offsets can be read as <em>stable</em>: no transaction that
 * wrote them stays open. A transaction the broker never completes (seen after a SIGKILL during a
 * commit) keeps a read_committed consumer — the worker, the DLQ replay — from learning where to
 * resume; the worker then falls back to the last completed offsets and logs it, and this check
 * names the group so an operator can look at {@code kafka-transactions.sh find-hanging}.
 */
final class ConsumerGroupChecks {
    static final Finding.Rule GROUPS = new Finding.Rule("consumer-groups", "Kafka consumer groups");
    private static final long STABLE_WAIT_S = 10;

    private final Admin kafka;
    private final DoctorReport report;

    ConsumerGroupChecks(Admin kafka, DoctorReport report) {
        this.kafka = kafka;
        this.report = report;
    }

    void checkOffsetsStable() throws InterruptedException {
        report.check(GROUPS);
        Collection<GroupListing> groups;
        try {
            groups = kafka.listGroups().all().get(STABLE_WAIT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            report.report(GROUPS, "Kafka", "consumer groups cannot be listed: " + e, "check PULSE_KAFKA_BOOTSTRAP");
            return;
        }
        for (GroupListing group : groups) {
            if (group.type().map(t -> t != GroupType.CLASSIC && t != GroupType.CONSUMER).orElse(false)) {
                continue;
            }
            try {
                kafka.listConsumerGroupOffsets(group.groupId(), new ListConsumerGroupOffsetsOptions().requireStable(true))
                        .partitionsToOffsetAndMetadata().get(STABLE_WAIT_S, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                unstable(group);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnstableOffsetCommitException) {
                    unstable(group);
                } else if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    report.report(GROUPS, "group " + group.groupId(), "offsets cannot be read: " + e.getCause(), "");
                }
            }
        }
    }

    private void unstable(GroupListing group) {
        report.report(GROUPS, "group " + group.groupId(), "its committed offsets stayed unstable for " + STABLE_WAIT_S
                        + " s: a transaction that wrote them has not completed, so read_committed consumers cannot learn where to resume",
                        "find it with kafka-transactions.sh find-hanging / describe, then abort it; the Pulse worker resumes meanwhile from the last completed offsets");
    }
}
