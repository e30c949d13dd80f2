package dev.pulse.worker.dlq;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A record that cannot land in a table, with the reason: a value, never an exception. It becomes
 * a DLQ record that keeps the original key and value bytes and says what failed in headers.
 */
public record DeadLetter(TenantId tenant, ConsumerRecord<byte[], byte[]> source, ErrorCode code, String message) {
    public static final String ERROR_CODE = "pulse-error-code";
    public static final String ERROR_MESSAGE = "pulse-error-message";
    public static final String ERROR_STAGE = "pulse-error-stage";
    public static final String SOURCE_TOPIC = "pulse-source-topic";
    public static final String SOURCE_PARTITION = "pulse-source-partition";
    public static final String SOURCE_OFFSET = "pulse-source-offset";
    public static final String ATTEMPT = "pulse-attempt";
    public static final String FIRST_FAILURE_AT = "pulse-first-failure-at";

    /**
     * Set instead of the value (and the record's own headers) when they would not fit in the DLQ
     * topic: their size in bytes. The original stays in the raw topic at the source offset.
     */
    public static final String VALUE_OMITTED = "pulse-value-omitted-bytes";
    /** Room for the value and carried headers: the tenant topics take 4 MiB, and our headers need some. */
    static final int MAX_CARRIED_BYTES = 4 * 1024 * 1024 - 64 * 1024;

    /** Headers this class sets; the record's other headers travel along unchanged. */
    private static final Set<String> OWN_HEADERS = Set.of(Topics.TENANT_HEADER, ERROR_CODE, ERROR_MESSAGE, ERROR_STAGE,
            SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, ATTEMPT, FIRST_FAILURE_AT, VALUE_OMITTED);
    /** Kafka headers have no hard limit, but a reason listing a thousand violations helps nobody. */
    private static final int MAX_MESSAGE_CHARS = 4000;

    public ProducerRecord<byte[], byte[]> toProducerRecord(Instant now) {
        RecordHeaders headers = new RecordHeaders();
        long carried = source.value() == null ? 0 : source.value().length;
        for (Header h : source.headers()) {
            if (!OWN_HEADERS.contains(h.key())) {
                headers.add(h);
                carried += h.key().length() + (h.value() == null ? 0 : h.value().length);
            }
        }
        byte[] value = source.value();
        if (carried > MAX_CARRIED_BYTES) {
            // Too big for the DLQ topic once our headers are added: the broker would refuse the
            // Kafka transaction of the whole batch, every time. The bytes stay in the raw topic.
            headers = new RecordHeaders();
            value = null;
            put(headers, VALUE_OMITTED, Long.toString(carried));
        }
        // A record replayed from the DLQ carries its history: count the attempt and keep the first failure time.
        int attempt = previousAttempt() + 1;
        // Microseconds, as the dead-letter store (PostgreSQL) keeps it, so the time a replay carries on is the same text.
        String firstFailure = previousFirstFailure().orElse(now.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString());
        put(headers, Topics.TENANT_HEADER, tenant.toString());
        put(headers, ERROR_CODE, code.wireName());
        put(headers, ERROR_MESSAGE, message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "…");
        put(headers, ERROR_STAGE, code.stage().wireName());
        put(headers, SOURCE_TOPIC, source.topic());
        put(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
        put(headers, SOURCE_OFFSET, Long.toString(source.offset()));
        put(headers, ATTEMPT, Integer.toString(attempt));
        put(headers, FIRST_FAILURE_AT, firstFailure);
        return new ProducerRecord<>(Topics.dlq(tenant), null, source.key(), value, headers);
    }

    private int previousAttempt() {
        String text = header(ATTEMPT);
        if (text == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(text.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private java.util.Optional<String> previousFirstFailure() {
        String text = header(FIRST_FAILURE_AT);
        if (text == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Instant.parse(text.strip()).toString());
        } catch (DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }

    private String header(String key) {
        Header h = source.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void put(RecordHeaders headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
