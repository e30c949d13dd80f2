package dev.pulse.worker;

import static dev.pulse.worker.WorkerFixture.header;
import static dev.pulse.worker.WorkerFixture.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.directory.IngestStatus;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.dlq.DeadLetter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 9: no input can stop the pipeline. One worker for the class, as in production: records
 * that fail at every stage, between valid events of two tenants, each land in their own tenant's
 * DLQ with the reason while every valid event lands in its table; a tenant whose table cannot be
 * loaded is paused with backoff while another tenant keeps flowing, and resumes when repaired.
 */
class PoisonInputIT {
    static final String GROUP = "poison-it-" + UUID.randomUUID();
    static WorkerFixture fixture;
    static IngestWorker worker;

    @BeforeAll
    static void startWorker() {
        fixture = new WorkerFixture();
        worker = IngestWorker.start(fixture.config(GROUP, Map.of(
                "PULSE_WORKER_TENANT_BACKOFF_MS", "200", "PULSE_WORKER_TENANT_BACKOFF_MAX_MS", "1000")));
    }

    @AfterAll
    static void stopWorker() {
        worker.close();
        fixture.close();
    }

    @AfterEach
    void workerIsStillRunning() {
        assertThat(worker.failure()).isEmpty();
        assertThat(worker.isRunning()).isTrue();
    }

    @Test
    void aRecordFailingAtEachStageGoesToItsTenantsDlqAndEveryValidEventOfBothTenantsLands() {
        TenantId a = fixture.tenantWithDataset("clicks").id();
        TenantId b = fixture.tenantWithDataset("clicks").id();
        // B's table drifts from its schema (an operator replaced column n by a string column): the
        // schema still says integer, so a row with n passes validation and fails only at write.
        fixture.createDataset(b, "drifted");
        Table drifted = fixture.table(b, "drifted");
        drifted.updateSchema().deleteColumn("n").commit();
        drifted.updateSchema().addColumn("n", Types.StringType.get()).commit();

        List<String> validA = new ArrayList<>();
        List<String> validB = new ArrayList<>();
        Map<String, RecordMetadata> bad = new java.util.HashMap<>();
        for (int round = 0; round < 3; round++) {
            validA.add(produce(a, "clicks", "a-ok-" + round, "{\"url\": \"/a\", \"n\": 1}"));
            validB.add(produce(b, "clicks", "b-ok-" + round, "{\"url\": \"/b\"}"));
            if (round == 0) {
                // decode: not an envelope at all
                bad.put("a-decode", fixture.produceRaw(Topics.raw(a), a.toString(), "a-decode", "{\"dataset\": ".getBytes(StandardCharsets.UTF_8)));
                // tenant: B's topic, A's header
                bad.put("b-tenant", fixture.produceRaw(Topics.raw(b), a.toString(), "b-tenant",
                        WorkerFixture.envelope("clicks", "b-tenant", "{\"url\": \"/x\"}")));
                // dataset: no such dataset
                bad.put("a-dataset", fixture.produce(a, "no-such", "a-dataset", "{\"url\": \"/x\"}"));
                // dataset: a name PostgreSQL cannot even be asked about (NUL)
                bad.put("a-nul-dataset", fixture.produce(a, "cl\u0000icks", "a-nul-dataset", "{\"url\": \"/x\"}"));
            } else if (round == 1) {
                // validate: the event time of the issue (ArithmeticException in Iceberg before), a lone surrogate, a type error
                bad.put("a-overflow", fixture.produceRaw(Topics.raw(a), a.toString(), "a-overflow", new EventEnvelope("clicks", "a-overflow",
                        Instant.parse("+292278994-08-17T07:12:55Z"), Instant.now(), WorkerFixture.json("{\"url\": \"/x\"}")).toBytes()));
                bad.put("b-surrogate", fixture.produceRaw(Topics.raw(b), b.toString(), "b-surrogate",
                        WorkerFixture.envelope("clicks", "b-surrogate", "{\"url\": \"/\\ud800\"}")));
                bad.put("a-type", fixture.produce(a, "clicks", "a-type", "{\"url\": \"/x\", \"n\": \"one\"}"));
            } else {
                // write: the value matches the schema but not the drifted table's column
                bad.put("b-write", fixture.produce(b, "drifted", "b-write", "{\"url\": \"/x\", \"n\": 5}"));
                validB.add(produce(b, "drifted", "b-drifted-ok", "{\"url\": \"/y\"}"));
            }
        }
        // The nanosecond event of the issue: stored truncated, not rounded.
        fixture.produceRaw(Topics.raw(a), a.toString(), "a-nanos", new EventEnvelope("clicks", "a-nanos",
                Instant.parse("1677-09-21T00:12:43.145224191Z"), Instant.now(), WorkerFixture.json("{\"url\": \"/old\"}")).toBytes());
        validA.add("a-nanos");
        fixture.awaitCaughtUp(GROUP, a);
        fixture.awaitCaughtUp(GROUP, b);

        assertThat(fixture.eventIds(a, "clicks")).containsExactlyInAnyOrderElementsOf(validA);
        assertThat(fixture.eventIds(b, "clicks")).containsExactlyInAnyOrder("b-ok-0", "b-ok-1", "b-ok-2");
        assertThat(fixture.eventIds(b, "drifted")).containsExactly("b-drifted-ok");
        Record nanos = fixture.rows(a, "clicks").stream().filter(r -> r.getField("event_id").equals("a-nanos")).findFirst().orElseThrow();
        assertThat(nanos.getField("event_time")).isEqualTo(OffsetDateTime.parse("1677-09-21T00:12:43.145224Z"));

        List<ConsumerRecord<byte[], byte[]>> dlqA = fixture.deadLetters(a);
        List<ConsumerRecord<byte[], byte[]>> dlqB = fixture.deadLetters(b);
        assertThat(dlqA).extracting(WorkerFixture::key).containsExactlyInAnyOrder("a-decode", "a-dataset", "a-nul-dataset", "a-overflow", "a-type");
        assertThat(dlqB).extracting(WorkerFixture::key).containsExactlyInAnyOrder("b-tenant", "b-surrogate", "b-write");
        IngestWorkerIT.assertDeadLetter(find(dlqA, "a-decode"), a, bad.get("a-decode"), "malformed-envelope", "decode");
        IngestWorkerIT.assertDeadLetter(find(dlqB, "b-tenant"), b, bad.get("b-tenant"), "tenant-mismatch", "tenant");
        IngestWorkerIT.assertDeadLetter(find(dlqA, "a-dataset"), a, bad.get("a-dataset"), "unknown-dataset", "dataset");
        IngestWorkerIT.assertDeadLetter(find(dlqA, "a-nul-dataset"), a, bad.get("a-nul-dataset"), "unknown-dataset", "dataset");
        IngestWorkerIT.assertDeadLetter(find(dlqA, "a-overflow"), a, bad.get("a-overflow"), "schema-violation", "validate");
        assertThat(header(find(dlqA, "a-overflow"), DeadLetter.ERROR_MESSAGE)).contains("/event_time").contains("+292278994-08-17T07:12:55Z");
        IngestWorkerIT.assertDeadLetter(find(dlqB, "b-surrogate"), b, bad.get("b-surrogate"), "schema-violation", "validate");
        assertThat(header(find(dlqB, "b-surrogate"), DeadLetter.ERROR_MESSAGE)).contains("/data/url").contains("lone surrogate U+D800");
        IngestWorkerIT.assertDeadLetter(find(dlqA, "a-type"), a, bad.get("a-type"), "schema-violation", "validate");
        IngestWorkerIT.assertDeadLetter(find(dlqB, "b-write"), b, bad.get("b-write"), "unwritable-value", "write");
        assertThat(header(find(dlqB, "b-write"), DeadLetter.ERROR_MESSAGE)).contains("column /n").contains("Long 5");
        assertThat(status(a)).isEmpty();
        assertThat(status(b)).isEmpty();
    }

    @Test
    void aTenantWhoseTableCannotBeLoadedIsPausedWhileAnotherKeepsFlowingAndResumesWhenRepaired() throws Exception {
        TenantId broken = fixture.tenantWithDataset("clicks").id();
        TenantId healthy = fixture.tenantWithDataset("clicks").id();
        produce(broken, "clicks", "before", "{\"url\": \"/a\"}");
        produce(healthy, "clicks", "h-0", "{\"url\": \"/b\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.eventIds(broken, "clicks").size() == 1
                && fixture.eventIds(healthy, "clicks").size() == 1);

        // The table's current metadata file disappears (a botched restore, a bad disk): the table cannot be loaded.
        Path metadata = Path.of(URI.create(localUri(((HasTableOperations) fixture.table(broken, "clicks")).operations().current().metadataFileLocation())));
        Path hidden = metadata.resolveSibling(metadata.getFileName() + ".hidden");
        Files.move(metadata, hidden);
        try {
            produce(broken, "clicks", "during", "{\"url\": \"/a\"}");
            produce(broken, "no-such", "dead-during", "{\"url\": \"/a\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> !status(broken).isEmpty());
            IngestStatus paused = status(broken).getFirst();
            assertThat(paused.dataset()).isEqualTo("clicks");
            assertThat(paused.state()).isEqualTo(IngestStatus.PAUSED);
            assertThat(paused.reason()).isNotBlank();

            // The other tenant flows at full speed meanwhile, batch after batch.
            for (int i = 1; i <= 5; i++) {
                String id = produce(healthy, "clicks", "h-" + i, "{\"url\": \"/b\"}");
                await().atMost(Duration.ofSeconds(10)).until(() -> fixture.eventIds(healthy, "clicks").contains(id));
            }
            // The broken tenant is retried with backoff, and none of its records is lost or dead-lettered meanwhile.
            await().atMost(Duration.ofSeconds(30)).until(() -> !status(broken).isEmpty() && status(broken).getFirst().failures() >= 3);
            assertThat(fixture.deadLetters(broken)).isEmpty();
            assertThat(worker.isRunning()).isTrue();
        } finally {
            Files.move(hidden, metadata);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.eventIds(broken, "clicks").equals(List.of("before", "during")));
        await().atMost(Duration.ofSeconds(10)).until(() -> status(broken).isEmpty());
        fixture.awaitCaughtUp(GROUP, broken);
        assertThat(fixture.deadLetters(broken)).extracting(WorkerFixture::key).containsExactly("dead-during");
        assertThat(fixture.eventIds(healthy, "clicks")).containsExactlyInAnyOrder("h-0", "h-1", "h-2", "h-3", "h-4", "h-5");
    }

    @Test
    void anotherTenantCannotSeeAPausedTenantsStatus() throws Exception {
        TenantId broken = fixture.tenantWithDataset("clicks").id();
        TenantId other = fixture.tenantWithDataset("clicks").id();
        Path metadata = Path.of(URI.create(localUri(((HasTableOperations) fixture.table(broken, "clicks")).operations().current().metadataFileLocation())));
        Path hidden = metadata.resolveSibling(metadata.getFileName() + ".hidden");
        Files.move(metadata, hidden);
        try {
            produce(broken, "clicks", "x", "{\"url\": \"/a\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> !status(broken).isEmpty());
            assertThat(status(other)).isEmpty();
            int changed = fixture.stack.db().inTenant(other, tx -> tx.update("DELETE FROM pulse.ingest_status"));
            assertThat(changed).isZero();
            assertThat(status(broken)).isNotEmpty();
        } finally {
            Files.move(hidden, metadata);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> status(broken).isEmpty());
    }

    private static String produce(TenantId tenant, String dataset, String eventId, String data) {
        fixture.produce(tenant, dataset, eventId, data);
        return eventId;
    }

    private static List<IngestStatus> status(TenantId tenant) {
        return fixture.stack.db().inTenant(tenant, IngestStatus::list);
    }

    private static ConsumerRecord<byte[], byte[]> find(List<ConsumerRecord<byte[], byte[]>> records, String key) {
        return records.stream().filter(r -> key(r).equals(key)).findFirst().orElseThrow();
    }

    private static String localUri(String location) {
        return location.startsWith("file:") ? location : Path.of(location).toUri().toString();
    }
}
