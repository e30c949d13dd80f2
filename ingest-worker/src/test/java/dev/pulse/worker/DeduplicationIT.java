package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.consume.CrashPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Retries never duplicate: records with an event id the dataset already holds are skipped,
 * whether they come in the same batch, a later one, or around a worker killed at the worst moment,
 * while a re-read batch is never taken for a duplicate of itself.
 */
class DeduplicationIT {
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
    void theSameIdTwiceInOneBatchIsStoredOnce() {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        fixture.produce(tenant, "events", "x", "{\"url\": \"/first\"}");
        fixture.produce(tenant, "events", "y", "{\"url\": \"/y\"}");
        fixture.produce(tenant, "events", "x", "{\"url\": \"/second\"}");
        String group = "dedup-" + UUID.randomUUID();
        try (IngestWorker worker = IngestWorker.start(fixture.config(group))) {
            fixture.awaitCaughtUp(group, tenant);
        }
        assertThat(fixture.eventIds(tenant, "events")).containsExactly("x", "y");
        // The first record of the id is the one stored; the duplicate is no dead letter.
        assertThat(fixture.rows(tenant, "events")).filteredOn(r -> r.getField("event_id").equals("x"))
                .extracting(r -> r.getField("url")).containsExactly("/first");
        assertThat(fixture.deadLetters(tenant)).isEmpty();
        assertThat(fixture.dataset(tenant, "events").rowCount()).isEqualTo(2);
    }

    @Test
    void aResendInALaterBatchIsStoredOnceAndAnotherDatasetKeepsItsOwnCopy() {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        fixture.createDataset(tenant, "orders");
        String group = "dedup-" + UUID.randomUUID();
        try (IngestWorker worker = IngestWorker.start(fixture.config(group))) {
            fixture.produce(tenant, "events", "a", "{\"url\": \"/a\"}");
            fixture.awaitCaughtUp(group, tenant);
            fixture.produce(tenant, "events", "a", "{\"url\": \"/a-again\"}");
            fixture.produce(tenant, "events", "b", "{\"url\": \"/b\"}");
            fixture.produce(tenant, "orders", "a", "{\"url\": \"/a-order\"}");
            fixture.awaitCaughtUp(group, tenant);
        }
        assertThat(fixture.eventIds(tenant, "events")).containsExactly("a", "b");
        assertThat(fixture.eventIds(tenant, "orders")).containsExactly("a");
    }

    @Test
    void anotherTenantsEventWithTheSameIdIsNoDuplicate() {
        TenantId a = fixture.tenantWithDataset("events").id();
        TenantId b = fixture.tenantWithDataset("events").id();
        String group = "dedup-" + UUID.randomUUID();
        try (IngestWorker worker = IngestWorker.start(fixture.config(group))) {
            fixture.produce(a, "events", "shared-id", "{\"url\": \"/a\"}");
            fixture.awaitCaughtUp(group, a);
            fixture.produce(b, "events", "shared-id", "{\"url\": \"/b\"}");
            fixture.awaitCaughtUp(group, b);
        }
        assertThat(fixture.eventIds(a, "events")).containsExactly("shared-id");
        assertThat(fixture.eventIds(b, "events")).containsExactly("shared-id");
    }

    /**
     * A producer retries whole batches: before the kill (some ids twice in the same batch), while
     * the worker is dead (as a client does after a timeout, or after the API died mid-request and
     * had produced part of the events), and once more after the successor caught up. Every id ends
     * in the table exactly once.
     */
    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void batchesRetriedAroundAWorkerKilledAtAnyPointLandEachIdExactlyOnce(CrashPoint point) {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add("e" + (100 + i));
        }
        for (int i = 0; i < ids.size(); i++) {
            fixture.produce(tenant, "events", ids.get(i), "{\"url\": \"/" + i + "\"}");
            if (i % 4 == 3) {
                fixture.produce(tenant, "events", ids.get(i / 2), "{\"url\": \"/retry\"}");
            }
        }
        String group = "dedup-crash-" + point + "-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();
        ProcessKill kill = ProcessKill.at(point, tenant);
        kill.start(fixture.config(group, instance));
        IngestWorker successor = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(kill::killed);
            kill.dropConsumer();
            ids.subList(0, 10).forEach(id -> fixture.produce(tenant, "events", id, "{\"url\": \"/retry-while-down\"}"));

            successor = IngestWorker.start(fixture.config(group, instance));
            fixture.awaitCaughtUp(group, tenant);
            ids.forEach(id -> fixture.produce(tenant, "events", id, "{\"url\": \"/late-retry\"}"));
            fixture.awaitCaughtUp(group, tenant);

            List<String> stored = fixture.eventIds(tenant, "events");
            assertThat(stored).as("0 duplicate ids").doesNotHaveDuplicates();
            assertThat(stored).as("0 missing ids").containsExactlyInAnyOrderElementsOf(ids);
            assertThat(fixture.rows(tenant, "events")).extracting(r -> (String) r.getField("url"))
                    .as("each id's first record is the one stored").noneMatch(url -> url.contains("retry"));
            assertThat(fixture.dataset(tenant, "events").rowCount()).isEqualTo(ids.size());
            assertThat(fixture.deadLetters(tenant)).isEmpty();
            assertThat(successor.failure()).isEmpty();
        } finally {
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }
}
