package dev.pulse.worker.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLetterTest {
    static final TenantId TENANT = TenantId.random();
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    static ConsumerRecord<byte[], byte[]> source(RecordHeaders headers) {
        return new ConsumerRecord<>(Topics.raw(TENANT), 1, 42L, 0L, TimestampType.CREATE_TIME, 3, 5,
                "key".getBytes(StandardCharsets.UTF_8), "value".getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    static String header(ProducerRecord<byte[], byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    @Test
    void aFirstFailureKeepsKeyAndBytesAndSaysWhatFailedWhere() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> dlq = new DeadLetter(TENANT, source(headers), ErrorCode.SCHEMA_VIOLATION, "/data/n: expected integer")
                .toProducerRecord(NOW);

        assertThat(dlq.topic()).isEqualTo(Topics.dlq(TENANT));
        assertThat(dlq.key()).asString(StandardCharsets.UTF_8).isEqualTo("key");
        assertThat(dlq.value()).asString(StandardCharsets.UTF_8).isEqualTo("value");
        assertThat(header(dlq, Topics.TENANT_HEADER)).isEqualTo(TENANT.toString());
        assertThat(header(dlq, DeadLetter.ERROR_CODE)).isEqualTo("schema-violation");
        assertThat(header(dlq, DeadLetter.ERROR_STAGE)).isEqualTo("validate");
        assertThat(header(dlq, DeadLetter.ERROR_MESSAGE)).isEqualTo("/data/n: expected integer");
        assertThat(header(dlq, DeadLetter.SOURCE_TOPIC)).isEqualTo(Topics.raw(TENANT));
        assertThat(header(dlq, DeadLetter.SOURCE_PARTITION)).isEqualTo("1");
        assertThat(header(dlq, DeadLetter.SOURCE_OFFSET)).isEqualTo("42");
        assertThat(header(dlq, DeadLetter.ATTEMPT)).isEqualTo("1");
        assertThat(header(dlq, DeadLetter.FIRST_FAILURE_AT)).isEqualTo(NOW.toString());
        assertThat(header(dlq, "trace-id")).isEqualTo("abc");
    }

    @Test
    void aReplayedRecordThatFailsAgainCountsTheAttemptAndKeepsTheFirstFailureTime() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetter.ATTEMPT, "2".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetter.FIRST_FAILURE_AT, "2026-02-01T00:00:00Z".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetter.ERROR_CODE, "unknown-dataset".getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.TENANT_HEADER, "someone-else".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> dlq = new DeadLetter(TENANT, source(headers), ErrorCode.TENANT_MISMATCH, "header disagrees")
                .toProducerRecord(NOW);

        assertThat(header(dlq, DeadLetter.ATTEMPT)).isEqualTo("3");
        assertThat(header(dlq, DeadLetter.FIRST_FAILURE_AT)).isEqualTo("2026-02-01T00:00:00Z");
        assertThat(dlq.headers().headers(DeadLetter.ERROR_CODE)).hasSize(1);
        assertThat(header(dlq, DeadLetter.ERROR_CODE)).isEqualTo("tenant-mismatch");
        assertThat(dlq.headers().headers(Topics.TENANT_HEADER)).hasSize(1);
        assertThat(header(dlq, Topics.TENANT_HEADER)).isEqualTo(TENANT.toString());
    }

    @Test
    void aRecordTooBigForTheDlqTopicKeepsItsReasonAndSaysWhereTheBytesAre() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        byte[] huge = new byte[DeadLetter.MAX_CARRIED_BYTES];
        ConsumerRecord<byte[], byte[]> big = new ConsumerRecord<>(Topics.raw(TENANT), 1, 42L, 0L, TimestampType.CREATE_TIME, 3, huge.length,
                "key".getBytes(StandardCharsets.UTF_8), huge, headers, Optional.empty());
        ProducerRecord<byte[], byte[]> dlq = new DeadLetter(TENANT, big, ErrorCode.MALFORMED_ENVELOPE, "not JSON").toProducerRecord(NOW);

        assertThat(dlq.value()).isNull();
        assertThat(dlq.key()).asString(StandardCharsets.UTF_8).isEqualTo("key");
        assertThat(header(dlq, DeadLetter.VALUE_OMITTED)).isEqualTo(Integer.toString(huge.length + "trace-id".length() + 3));
        assertThat(header(dlq, DeadLetter.ERROR_CODE)).isEqualTo("malformed-envelope");
        assertThat(header(dlq, DeadLetter.SOURCE_OFFSET)).isEqualTo("42");
        assertThat(dlq.headers().lastHeader("trace-id")).isNull();
    }
}
