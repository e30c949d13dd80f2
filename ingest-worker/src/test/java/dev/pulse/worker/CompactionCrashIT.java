package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.consume.CrashPoint;
import dev.pulse.worker.maintain.TableMaintenance;
import dev.pulse.worker.maintain.TableMaintenance.MaintenanceResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.exceptions.NotFoundException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Compaction and expiry in a loop beside a worker that dies at each crash point of a batch, while
 * events keep flowing: the table ends with exactly the events sent, each once. Two maintainers
 * compete for the table all along (this loop and the successor worker's own scheduler).
 */
class CompactionCrashIT {
    static WorkerFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = new WorkerFixture();
    }

    @AfterAll
    static void tearDown() {
        fixture.close();
    }

    static final Map<String, String> AGGRESSIVE = Map.of(
            "PULSE_SNAPSHOT_KEEP_ALL", "PT0S",
            "PULSE_COMPACTION_MIN_INPUT_FILES", "2",
            "PULSE_MAINTENANCE_INTERVAL", "100");

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void compactionBesideAWorkerKilledAtAnyPointLosesAndDuplicatesNothing(CrashPoint point) throws Exception {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "compact-crash-" + point + "-" + UUID.randomUUID();
        String instance = "replica-" + UUID.randomUUID();
        Map<String, String> settings = new HashMap<>(AGGRESSIVE);
        settings.put("PULSE_WORKER_INSTANCE_ID", instance);
        settings.put("PULSE_WORKER_SESSION_TIMEOUT_MS", "6000");

        AtomicInteger reached = new AtomicInteger();
        ProcessKill kill = ProcessKill.when((at, tenants) -> at == point && tenants.contains(tenant) && reached.incrementAndGet() == 3);
        List<String> sent = new ArrayList<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicBoolean maintaining = new AtomicBoolean(true);
        AtomicLong rewritten = new AtomicLong();
        AtomicLong expired = new AtomicLong();
        ExecutorService background = Executors.newFixedThreadPool(2);
        kill.start(fixture.config(group, settings));
        IngestWorker successor = null;
        try {
            Future<?> producer = background.submit(() -> {
                for (int i = 0; i < 240; i++) {
                    String id = "e" + String.format("%04d", i);
                    fixture.produce(tenant, "events", id, "{\"url\": \"/" + i + "\", \"n\": " + i + "}");
                    synchronized (sent) {
                        sent.add(id);
                    }
                    if (i % 8 == 0) {
                        try {
                            Thread.sleep(40); // spread the events over many small batches
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
                producing.set(false);
            });
            TableMaintenance maintenance = new TableMaintenance(fixture.stack.db(), fixture.stack.catalog(),
                    fixture.config("unused", AGGRESSIVE).maintenance());
            Future<?> maintainer = background.submit(() -> {
                while (maintaining.get()) {
                    try {
                        MaintenanceResult r = maintenance.maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.SCHEDULED);
                        rewritten.addAndGet(r.compaction().filesRewritten());
                        expired.addAndGet(r.expiry().snapshotsExpired());
                    } catch (RuntimeException e) {
                        throw new AssertionError("maintenance failed beside ingestion", e);
                    }
                }
            });

            await().atMost(Duration.ofSeconds(90)).until(kill::killed);
            kill.dropConsumer();
            successor = IngestWorker.start(fixture.config(group, settings));
            producer.get();
            fixture.awaitCaughtUp(group, tenant);
            // The maintainer still runs with PULSE_SNAPSHOT_KEEP_ALL=PT0S: it may expire the snapshot this
            // poll planned, and delete its compacted-away files, before the poll reads them (NotFound).
            // That is the poll racing the test's own aggressive expiry; the next poll plans afresh.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(NotFoundException.class)
                    .until(() -> fixture.eventIds(tenant, "events").size() >= sent.size());
            maintaining.set(false);
            maintainer.get();

            List<String> expected = new ArrayList<>(sent);
            expected.sort(null);
            List<String> ids = fixture.eventIds(tenant, "events");
            assertThat(ids).hasSize(240).doesNotHaveDuplicates().containsExactlyElementsOf(expected);
            assertThat(fixture.deadLetters(tenant)).isEmpty();
            assertThat(successor.failure()).isEmpty();
            // The test is only worth something if maintenance really rewrote and expired beside the worker.
            System.out.println(point + ": maintenance rewrote " + rewritten.get() + " files and expired " + expired.get() + " snapshots beside ingestion");
            assertThat(rewritten.get()).isPositive();
            assertThat(expired.get()).isPositive();
        } finally {
            maintaining.set(false);
            producing.set(false);
            background.shutdownNow();
            if (successor != null) {
                successor.close();
            }
            kill.discard();
        }
    }
}
