package dev.pulse.worker;

import static dev.pulse.worker.WorkerFixture.header;
import static dev.pulse.worker.WorkerFixture.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.dlq.DeadLetter;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker against the real stack: one worker for the class (it must keep serving tenants created
 * after it started, which is itself under test), a fresh tenant per test.
 */
class IngestWorkerIT {
    static final String GROUP = "worker-it-" + UUID.randomUUID();
    static WorkerFixture fixture;
    static IngestWorker worker;

    @BeforeAll
    static void startWorker() {
        fixture = new WorkerFixture();
        worker = IngestWorker.start(fixture.config(GROUP));
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
    void validEventsLandInTheTenantsTableExactlyOnceWithTheEnvelopeColumns() {
        TenantId tenant = fixture.tenantWithDataset("page-views").id();
        for (int i = 0; i < 10; i++) {
            fixture.produce(tenant, "page-views", "e" + i, "{\"url\": \"/p" + i + "\", \"n\": " + i + "}");
        }
        fixture.awaitCaughtUp(GROUP, tenant);

        List<Record> rows = fixture.rows(tenant, "page-views");
        assertThat(rows).extracting(r -> r.getField("event_id"))
                .containsExactlyInAnyOrder("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9");
        Record e3 = rows.stream().filter(r -> r.getField("event_id").equals("e3")).findFirst().orElseThrow();
        assertThat(e3.getField("event_time")).isEqualTo(OffsetDateTime.ofInstant(WorkerFixture.EVENT_TIME, ZoneOffset.UTC));
        assertThat(e3.getField("received_at")).isEqualTo(OffsetDateTime.ofInstant(WorkerFixture.EVENT_TIME.plusSeconds(1), ZoneOffset.UTC));
        assertThat(e3.getField("url")).isEqualTo("/p3");
        assertThat(e3.getField("n")).isEqualTo(3L);

        DatasetRecord dataset = fixture.dataset(tenant, "page-views");
        assertThat(dataset.rowCount()).isEqualTo(10);
        assertThat(dataset.lastEventTime()).isEqualTo(WorkerFixture.EVENT_TIME);
        List<List<Long>> ledger = fixture.ledger(tenant, "page-views");
        assertThat(ledger.stream().mapToLong(row -> row.get(4)).sum()).isEqualTo(10);
        Set<Long> pulseSnapshots = pulseSnapshotIds(tenant, "page-views");
        assertThat(ledger).extracting(row -> row.get(0)).allMatch(pulseSnapshots::contains);
        assertThat(fixture.deadLetters(tenant)).isEmpty();
    }

    @Test
    void anInvalidEventLandsInItsOwnTenantsDlqAndTheValidEventsAroundItStillLand() {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        fixture.produce(tenant, "clicks", "ok-1", "{\"url\": \"/a\"}");
        RecordMetadata wrongType = fixture.produce(tenant, "clicks", "bad-type", "{\"url\": \"/b\", \"n\": \"seven\"}");
        fixture.produce(tenant, "clicks", "ok-2", "{\"url\": \"/c\", \"n\": 2}");
        RecordMetadata missing = fixture.produce(tenant, "clicks", "bad-missing", "{\"n\": 4}");
        fixture.produce(tenant, "clicks", "ok-3", "{\"url\": \"/d\"}");
        fixture.awaitCaughtUp(GROUP, tenant);

        assertThat(fixture.eventIds(tenant, "clicks")).containsExactly("ok-1", "ok-2", "ok-3");
        List<ConsumerRecord<byte[], byte[]>> dlq = fixture.deadLetters(tenant);
        assertThat(dlq).extracting(WorkerFixture::key).containsExactlyInAnyOrder("bad-type", "bad-missing");
        ConsumerRecord<byte[], byte[]> typeError = dlq.stream().filter(r -> key(r).equals("bad-type")).findFirst().orElseThrow();
        assertDeadLetter(typeError, tenant, wrongType, "schema-violation", "validate");
        assertThat(header(typeError, DeadLetter.ERROR_MESSAGE)).contains("/data/n").contains("expected integer");
        assertThat(typeError.value()).isEqualTo(WorkerFixture.envelope("clicks", "bad-type", "{\"url\": \"/b\", \"n\": \"seven\"}"));
        ConsumerRecord<byte[], byte[]> missingError = dlq.stream().filter(r -> key(r).equals("bad-missing")).findFirst().orElseThrow();
        assertDeadLetter(missingError, tenant, missing, "schema-violation", "validate");
        assertThat(header(missingError, DeadLetter.ERROR_MESSAGE)).contains("/data/url").contains("required");
    }

    @Test
    void aRecordWhoseTenantHeaderDisagreesWithItsTopicNeverReachesATable() {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        TenantRecord other = fixture.tenantWithDataset("clicks");
        byte[] value = WorkerFixture.envelope("clicks", "foreign", "{\"url\": \"/x\"}");
        RecordMetadata foreign = fixture.produceRaw(Topics.raw(tenant), other.id().toString(), "foreign", value);
        RecordMetadata headerless = fixture.produceRaw(Topics.raw(tenant), null, "headerless",
                WorkerFixture.envelope("clicks", "headerless", "{\"url\": \"/y\"}"));
        fixture.produce(tenant, "clicks", "ok", "{\"url\": \"/z\"}");
        fixture.awaitCaughtUp(GROUP, tenant);

        assertThat(fixture.eventIds(tenant, "clicks")).containsExactly("ok");
        assertThat(fixture.eventIds(other.id(), "clicks")).isEmpty();
        List<ConsumerRecord<byte[], byte[]>> dlq = fixture.deadLetters(tenant);
        assertThat(dlq).extracting(WorkerFixture::key).containsExactlyInAnyOrder("foreign", "headerless");
        ConsumerRecord<byte[], byte[]> foreignError = dlq.stream().filter(r -> key(r).equals("foreign")).findFirst().orElseThrow();
        assertDeadLetter(foreignError, tenant, foreign, "tenant-mismatch", "tenant");
        assertThat(foreignError.value()).isEqualTo(value);
        assertDeadLetter(dlq.stream().filter(r -> key(r).equals("headerless")).findFirst().orElseThrow(), tenant, headerless,
                "tenant-mismatch", "tenant");
        assertThat(fixture.deadLetters(other.id())).isEmpty();
    }

    @Test
    void aDatasetThatExistsOnlyForAnotherTenantIsAnUnknownDatasetForThisTenant() {
        TenantId tenant = fixture.tenantWithDataset("mine").id();
        TenantId other = fixture.tenantWithDataset("theirs").id();
        RecordMetadata sent = fixture.produce(tenant, "theirs", "stray", "{\"url\": \"/x\"}");
        fixture.produce(tenant, "mine", "ok", "{\"url\": \"/y\"}");
        fixture.awaitCaughtUp(GROUP, tenant);

        assertThat(fixture.eventIds(other, "theirs")).isEmpty();
        assertThat(fixture.eventIds(tenant, "mine")).containsExactly("ok");
        List<ConsumerRecord<byte[], byte[]>> dlq = fixture.deadLetters(tenant);
        assertThat(dlq).hasSize(1);
        assertDeadLetter(dlq.getFirst(), tenant, sent, "unknown-dataset", "dataset");
        assertThat(header(dlq.getFirst(), DeadLetter.ERROR_MESSAGE)).contains("'theirs'");
    }

    @Test
    void aTopicWhoseNameDoesNotParseIsNeverWrittenAndOtherTenantsKeepFlowing() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        // Both match the subscription pattern; neither names a tenant in canonical form.
        String notATenant = "pulse.not-a-tenant.events.raw";
        String upperCase = "pulse." + tenant.toString().toUpperCase(Locale.ROOT) + ".events.raw";
        for (String topic : List.of(notATenant, upperCase)) {
            try {
                fixture.stack.kafkaAdmin().createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            fixture.produceRaw(topic, tenant.toString(), "smuggled-" + topic.length(),
                    WorkerFixture.envelope("clicks", "smuggled", "{\"url\": \"/evil\"}"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> assigned().containsAll(
                Set.of(new TopicPartition(notATenant, 0), new TopicPartition(upperCase, 0))));
        fixture.produce(tenant, "clicks", "ok", "{\"url\": \"/fine\"}");
        fixture.awaitCaughtUp(GROUP, tenant);

        assertThat(fixture.eventIds(tenant, "clicks")).containsExactly("ok");
        assertThat(fixture.deadLetters(tenant)).isEmpty();
    }

    @Test
    void aDatasetCreatedWhileTheWorkerRunsIsSeenByTheNextBatchAndEarlierDeadLettersStayInTheDlq() {
        TenantId tenant = fixture.tenantWithDataset("clicks").id();
        fixture.produce(tenant, "clicks-v2", "too-early", "{\"url\": \"/a\"}");
        fixture.awaitCaughtUp(GROUP, tenant);
        assertThat(fixture.deadLetters(tenant)).extracting(WorkerFixture::key).containsExactly("too-early");

        fixture.stack.datasets().create(tenant, "clicks-v2", "clicks", null, dev.pulse.schemas.event.IcebergSchemas.Partitioning.DAY);
        fixture.produce(tenant, "clicks-v2", "in-time", "{\"url\": \"/b\"}");
        fixture.awaitCaughtUp(GROUP, tenant);

        assertThat(fixture.eventIds(tenant, "clicks-v2")).containsExactly("in-time");
        assertThat(fixture.deadLetters(tenant)).extracting(WorkerFixture::key).containsExactly("too-early");
    }

    @Test
    void aTenantCreatedAfterTheWorkerStartedIsPickedUpWithoutRestart() {
        Instant before = Instant.now();
        TenantId tenant = fixture.tenantWithDataset("late").id();
        fixture.produce(tenant, "late", "first", "{\"url\": \"/hello\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.eventIds(tenant, "late").equals(List.of("first")));
        assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(30));
    }

    private static Set<TopicPartition> assigned() throws Exception {
        return fixture.stack.kafkaAdmin().describeConsumerGroups(Set.of(GROUP)).all().get().get(GROUP).members().stream()
                .flatMap(m -> m.assignment().topicPartitions().stream()).collect(java.util.stream.Collectors.toSet());
    }

    private static Set<Long> pulseSnapshotIds(TenantId tenant, String slug) {
        Set<Long> ids = new java.util.HashSet<>();
        for (Snapshot s : fixture.table(tenant, slug).snapshots()) {
            if (s.summary().containsKey("pulse.kafka.commit")) {
                ids.add(s.snapshotId());
            }
        }
        return ids;
    }

    static void assertDeadLetter(ConsumerRecord<byte[], byte[]> record, TenantId tenant, RecordMetadata source, String code, String stage) {
        assertThat(record.topic()).isEqualTo(Topics.dlq(tenant));
        assertThat(header(record, Topics.TENANT_HEADER)).isEqualTo(tenant.toString());
        assertThat(header(record, DeadLetter.ERROR_CODE)).isEqualTo(code);
        assertThat(header(record, DeadLetter.ERROR_STAGE)).isEqualTo(stage);
        assertThat(header(record, DeadLetter.ERROR_MESSAGE)).isNotBlank();
        assertThat(header(record, DeadLetter.SOURCE_TOPIC)).isEqualTo(source.topic());
        assertThat(header(record, DeadLetter.SOURCE_PARTITION)).isEqualTo(Integer.toString(source.partition()));
        assertThat(header(record, DeadLetter.SOURCE_OFFSET)).isEqualTo(Long.toString(source.offset()));
        assertThat(header(record, DeadLetter.ATTEMPT)).isEqualTo("1");
        assertThat(Instant.parse(header(record, DeadLetter.FIRST_FAILURE_AT))).isBefore(Instant.now().plusSeconds(1));
    }
}
