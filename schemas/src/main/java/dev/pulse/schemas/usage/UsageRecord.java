package dev.pulse.schemas.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.naming.TenantId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One count of one tenant's usage, as Pulse services write it to the internal usage topic
 * ({@link UsageTopic}); the worker's topology adds them up per tenant and minute. The Kafka
 * record's key is the tenant id (so a tenant's records, and any two copies of one, meet in one
 * partition), its timestamp {@code at}, its value compact JSON:
 *
 * <pre>{"v":1,"tenant":"&lt;uuid&gt;","at":"2026-12-02T16:00:12.345Z","metric":"rows_landed","dimension":"page-views","count":12,"id":"landed/…"}</pre>
 *
 * <p>{@code id} is optional: records with the same id are counted once (the topology remembers ids
 * for {@link #DEDUP_RETENTION_DAYS} days), which makes a count that may be sent twice (re-sent
 * after a crash) exact. {@code count} is at least 1; {@code dimension} at most 200 characters
 * ('' for none).
 */
public record UsageRecord(TenantId tenant, Instant at, UsageMetric metric, String dimension, long count, String id) {
    public static final int VERSION = 1;
    /** How long the topology remembers an {@link #id}: a copy arriving later would count again. */
    public static final int DEDUP_RETENTION_DAYS = 7;
    private static final ObjectMapper JSON = new ObjectMapper();

    public UsageRecord {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(metric, "metric");
        dimension = dimension == null ? "" : dimension;
        if (dimension.length() > 200) {
            throw new IllegalArgumentException("a usage dimension has at most 200 characters: " + dimension.length());
        }
        if (count < 1) {
            throw new IllegalArgumentException("a usage count is at least 1: " + count);
        }
    }

    /** A count without an id: counted each time it is sent (send it once, e.g. in a Kafka transaction with what it counts). */
    public static UsageRecord of(TenantId tenant, Instant at, UsageMetric metric, String dimension, long count) {
        return new UsageRecord(tenant, at, metric, dimension, count, null);
    }

    /**
     * For the DLQ replay: {@code count} dead letters of {@code reason} went back to the raw topic.
     * Send it in the replay's own Kafka transaction (with the raw records and the replay group's
     * offsets), so it is counted exactly when the replay commits.
     */
    public static UsageRecord deadLettersReplayed(TenantId tenant, Instant at, String reason, long count) {
        return of(tenant, at, UsageMetric.DEAD_LETTERS_REPLAYED, reason, count);
    }

    /**
     * For {@code pulse dlq drop}: one dead letter ({@code deadLetterId}, its stable id) was marked
     * dropped. The id makes it safe to send again (e.g. after the drop's database commit, retried
     * after a crash): it counts once.
     */
    public static UsageRecord deadLetterDropped(TenantId tenant, Instant at, String reason, String deadLetterId) {
        return new UsageRecord(tenant, at, UsageMetric.DEAD_LETTERS_DROPPED, reason, 1, "dropped/" + deadLetterId);
    }

    /** The Kafka record for the usage topic: key the tenant id, timestamp {@code at}, value the JSON above. */
    public ProducerRecord<byte[], byte[]> toProducerRecord() {
        return new ProducerRecord<>(UsageTopic.NAME, null, at.toEpochMilli(), tenant.toString().getBytes(StandardCharsets.UTF_8), toJson());
    }

    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("v", VERSION);
        node.put("tenant", tenant.toString());
        node.put("at", at.toString());
        node.put("metric", metric.wireName());
        node.put("dimension", dimension);
        node.put("count", count);
        if (id != null) {
            node.put("id", id);
        }
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a usage record always serializes", e);
        }
    }

    /** The record in {@code value}, or empty when it is not one (another version, a missing field, a bad value). */
    public static Optional<UsageRecord> parse(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(value);
            if (node == null || node.path("v").asInt() != VERSION) {
                return Optional.empty();
            }
            Optional<TenantId> tenant = TenantId.tryParse(node.path("tenant").asText(null));
            Optional<UsageMetric> metric = UsageMetric.fromWireName(node.path("metric").asText(""));
            if (tenant.isEmpty() || metric.isEmpty() || !node.path("count").canConvertToLong()) {
                return Optional.empty();
            }
            String id = node.hasNonNull("id") ? node.get("id").asText() : null;
            return Optional.of(new UsageRecord(tenant.get(), Instant.parse(node.path("at").asText()), metric.get(),
                    node.path("dimension").asText(""), node.path("count").asLong(), id));
        } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
