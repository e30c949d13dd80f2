package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.directory.IngestStatus;
import dev.pulse.schemas.freshness.IngestWatermarks;
import dev.pulse.schemas.naming.TenantId;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.iceberg.HasTableOperations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, the freshness watermark: a tenant's datasets are "complete through T" when every record
 * Kafka acknowledged on the tenant's raw topic before T is in a table or the DLQ. It advances as
 * events land, never passes an event that is not committed (a paused tenant's), is the tenant's
 * own under RLS, and never goes back, across a restart of the worker included.
 */
class FreshnessIT {
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
    void theWatermarkAdvancesAsEventsLandAndStaysBeforeAnEventAPausedTenantHoldsBack() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        try (IngestWorker worker = IngestWorker.start(fixture.config("freshness-" + UUID.randomUUID(), Map.of(
                "PULSE_WORKER_TENANT_BACKOFF_MS", "200", "PULSE_WORKER_TENANT_BACKOFF_MAX_MS", "1000")))) {
            Instant first = acknowledged(tenant, "e1");
            await().atMost(Duration.ofSeconds(30)).until(() -> completeThrough(tenant).filter(w -> w.isAfter(first)).isPresent());
            // Read after the watermark, the table holds what it covers.
            assertThat(fixture.eventIds(tenant, "clicks")).containsExactly("e1");

            // The table cannot be loaded: the tenant is paused, its event waits uncommitted.
            Path metadata = Path.of(URI.create(localUri(((HasTableOperations) fixture.table(tenant, "clicks")).operations().current().metadataFileLocation())));
            Path hidden = metadata.resolveSibling(metadata.getFileName() + ".hidden");
            Files.move(metadata, hidden);
            Instant held;
            try {
                held = acknowledged(tenant, "e2");
                await().atMost(Duration.ofSeconds(30)).until(() -> !fixture.stack.db().inTenant(tenant, IngestStatus::list).isEmpty());
                Instant before = completeThrough(tenant).orElseThrow();
                // Several retries later, still before the held event, and never back.
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(completeThrough(tenant)).hasValueSatisfying(w -> assertThat(w).isBefore(held).isAfterOrEqualTo(before)));
            } finally {
                Files.move(hidden, metadata);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> completeThrough(tenant).filter(w -> w.isAfter(held)).isPresent());
            assertThat(fixture.eventIds(tenant, "clicks")).containsExactly("e1", "e2");
            assertThat(worker.failure()).isEmpty();
        }
    }

    @Test
    void aSecondTenantCanNeitherReadNorMoveTheFirstsWatermark() {
        TenantId first = fixture.tenantWithDataset("clicks").id();
        TenantId second = fixture.tenantWithDataset("clicks").id();
        try (IngestWorker worker = IngestWorker.start(fixture.config("freshness-" + UUID.randomUUID()))) {
            Instant sent = acknowledged(first, "e1");
            await().atMost(Duration.ofSeconds(30)).until(() -> completeThrough(first).filter(w -> w.isAfter(sent)).isPresent());
        }
        Instant firsts = completeThrough(first).orElseThrow();
        assertThat(fixture.stack.db().inTenant(second, tx -> tx.queryOptional("SELECT count(*) FROM pulse.ingest_watermarks WHERE tenant_id = ?",
                rs -> rs.getLong(1), first.value())).orElseThrow()).isZero();
        int moved = fixture.stack.db().inTenant(second, tx -> tx.update(
                "UPDATE pulse.ingest_watermarks SET complete_through = complete_through + interval '1 day' WHERE tenant_id = ?", first.value()));
        assertThat(moved).isZero();
        assertThatThrownBy(() -> fixture.stack.db().inTenant(second, tx -> tx.update("""
                INSERT INTO pulse.ingest_watermarks (tenant_id, kafka_partition, partition_count, complete_through, updated_at)
                VALUES (?, 99, 100, now(), now())""", first.value())))
                .hasStackTraceContaining("row-level security");
        assertThat(completeThrough(first)).contains(firsts);
    }

    @Test
    void theWatermarkNeverGoesBackAcrossAWorkerRestart() {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        String group = "freshness-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();
        List<Instant> seen = new ArrayList<>();
        try (IngestWorker worker = IngestWorker.start(fixture.config(group, instance))) {
            Instant sent = acknowledged(tenant, "e1");
            await().atMost(Duration.ofSeconds(30)).until(() -> sample(tenant, seen).filter(w -> w.isAfter(sent)).isPresent());
        }
        sample(tenant, seen);
        try (IngestWorker restarted = IngestWorker.start(fixture.config(group, instance))) {
            // The restarted worker's first poll re-reads from the group offset: what it sees first
            // may be older than the stored watermark, which must not move back.
            Instant sent = acknowledged(tenant, "e2");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> sample(tenant, seen).filter(w -> w.isAfter(sent)).isPresent());
            assertThat(fixture.eventIds(tenant, "clicks")).containsExactly("e1", "e2");
        }
        assertThat(seen).isSorted();
    }

    /**
     * Produces an event and returns when Kafka acknowledged it, as its producer knows it (an upper
     * bound of the broker's acknowledgement): a watermark past this instant covers the event.
     */
    private static Instant acknowledged(TenantId tenant, String eventId) {
        fixture.produce(tenant, "clicks", eventId, "{\"url\": \"/a\"}");
        return Instant.now();
    }

    private static Optional<Instant> completeThrough(TenantId tenant) {
        return fixture.stack.db().inTenant(tenant, IngestWatermarks::completeThrough);
    }

    private static Optional<Instant> sample(TenantId tenant, List<Instant> seen) {
        Optional<Instant> w = completeThrough(tenant);
        w.ifPresent(seen::add);
        return w;
    }

    private static String localUri(String location) {
        return location.startsWith("file:") ? location : Path.of(location).toUri().toString();
    }
}
