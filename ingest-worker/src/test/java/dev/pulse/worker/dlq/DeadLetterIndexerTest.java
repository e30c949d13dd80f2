package dev.pulse.worker.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.schemas.deadletters.DeadLetterRow;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLetterIndexerTest {
    private static ConsumerRecord<byte[], byte[]> dlqRecord(RecordHeaders headers, String value) {
        return new ConsumerRecord<>("pulse.x.events.dlq", 1, 42, 1_700_000_000_000L, TimestampType.CREATE_TIME, 1, value == null ? 0 : value.length(),
                "k".getBytes(StandardCharsets.UTF_8), value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    private static void put(RecordHeaders headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFirstFailureIsKeyedByItsSourcePositionAndItsViolationsAreParsed() {
        RecordHeaders h = new RecordHeaders();
        put(h, DeadLetter.ERROR_CODE, "schema-violation");
        put(h, DeadLetter.ERROR_MESSAGE, "event e1 does not match schema 'clicks' version 2: /data/n: expected integer, got string \"x\"; /data/url: required");
        put(h, DeadLetter.ERROR_STAGE, "validate");
        put(h, DeadLetter.SOURCE_PARTITION, "2");
        put(h, DeadLetter.SOURCE_OFFSET, "1047");
        put(h, DeadLetter.ATTEMPT, "1");
        put(h, DeadLetter.FIRST_FAILURE_AT, "2026-03-01T10:00:00.123456Z");
        put(h, "traceparent", "00-abc");
        DeadLetterStore.Failure f = DeadLetterIndexer.failureOf(dlqRecord(h, "{\"dataset\":\"clicks\",\"event_id\":\"e1\",\"data\":{}}"));
        assertThat(f.id()).isEqualTo("2-1047");
        assertThat(f.dataset()).isEqualTo("clicks");
        assertThat(f.eventId()).isEqualTo("e1");
        assertThat(f.violations()).containsExactly(new DeadLetterRow.Violation("/data/n", "expected integer, got string \"x\""),
                new DeadLetterRow.Violation("/data/url", "required"));
        assertThat(f.headers()).containsOnlyKeys("traceparent");
        assertThat(f.dlqPartition()).isEqualTo(1);
        assertThat(f.dlqOffset()).isEqualTo(42);
        assertThat(f.firstFailedAt()).hasToString("2026-03-01T10:00:00.123456Z");
    }

    @Test
    void aReplayedEventThatFailedAgainFoldsIntoItsOriginalDeadLetter() {
        RecordHeaders h = new RecordHeaders();
        put(h, DeadLetter.ERROR_CODE, "unknown-dataset");
        put(h, DeadLetter.SOURCE_PARTITION, "0");
        put(h, DeadLetter.SOURCE_OFFSET, "9999");
        put(h, DeadLetter.ATTEMPT, "3");
        put(h, DlqReplay.DEAD_LETTER_ID, "2-1047");
        put(h, DlqReplay.REPLAY_RUN, "r");
        DeadLetterStore.Failure f = DeadLetterIndexer.failureOf(dlqRecord(h, "not json"));
        assertThat(f.id()).isEqualTo("2-1047");
        assertThat(f.sourcePartition()).isEqualTo(2);
        assertThat(f.sourceOffset()).isEqualTo(1047);
        assertThat(f.attempts()).isEqualTo(3);
        assertThat(f.dataset()).isNull();
        assertThat(f.headers()).isEmpty();
    }

    @Test
    void nulInAnyTextIsReplacedSoPostgresCanStoreIt() {
        RecordHeaders h = new RecordHeaders();
        put(h, DeadLetter.ERROR_CODE, "schema-violation");
        put(h, DeadLetter.ERROR_MESSAGE, "event a\u0000b does not match schema 's' version 1: /data/x\u0000: bad\u0000");
        put(h, DeadLetter.SOURCE_PARTITION, "0");
        put(h, DeadLetter.SOURCE_OFFSET, "1");
        put(h, "x\u0000", "y\u0000");
        DeadLetterStore.Failure f = DeadLetterIndexer.failureOf(dlqRecord(h, "{\"dataset\":\"d\\u0000\",\"event_id\":\"a\\u0000b\",\"data\":{}}"));
        assertThat(f.message()).doesNotContain("\u0000");
        assertThat(f.dataset()).isEqualTo("d\uFFFD");
        assertThat(f.eventId()).isEqualTo("a\uFFFDb");
        assertThat(f.violations()).allSatisfy(v -> assertThat(v.pointer() + v.message()).doesNotContain("\u0000"));
        assertThat(f.headers()).containsEntry("x\uFFFD", "y\uFFFD");
    }

    @Test
    void aMergePatchFollowsRfc7386() {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        byte[] patched = DlqReplay.patched("{\"dataset\":\"a\",\"data\":{\"n\":\"x\",\"keep\":1,\"drop\":2}}".getBytes(StandardCharsets.UTF_8),
                node(json, "{\"n\": 7, \"drop\": null, \"nested\": {\"a\": 1}}"), node(json, "{\"dataset\": \"b\"}"));
        assertThat(new String(patched, StandardCharsets.UTF_8)).isEqualTo("{\"dataset\":\"b\",\"data\":{\"n\":7,\"keep\":1,\"nested\":{\"a\":1}}}");
        assertThat(DlqReplay.patched("not json".getBytes(StandardCharsets.UTF_8), node(json, "{\"n\": 1}"), null))
                .isEqualTo("not json".getBytes(StandardCharsets.UTF_8));
    }

    private static com.fasterxml.jackson.databind.JsonNode node(com.fasterxml.jackson.databind.ObjectMapper json, String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
