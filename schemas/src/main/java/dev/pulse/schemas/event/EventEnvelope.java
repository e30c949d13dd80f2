package dev.pulse.schemas.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * One event as it travels through Kafka's raw topic: the envelope the API completed (event id,
 * event time, receive time) around the producer's {@code data}. The tenant is not in here: it is
 * the tenant of the topic.
 */
public record EventEnvelope(String dataset, String eventId, Instant eventTime, Instant receivedAt, JsonNode data) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public byte[] toBytes() {
        return toBytes(Rfc3339.format(receivedAt));
    }

    /**
     * The record value, written in one pass straight from the fields (no intermediate tree).
     * {@code receivedAtText} is {@link Rfc3339#format} of {@link #receivedAt}, which every event of
     * a request shares: the caller formats it once.
     */
    public byte[] toBytes(String receivedAtText) {
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("dataset", dataset);
            json.writeStringField("event_id", eventId);
            json.writeStringField("event_time", eventTime.equals(receivedAt) ? receivedAtText : Rfc3339.format(eventTime));
            json.writeStringField("received_at", receivedAtText);
            json.writeFieldName("data");
            MAPPER.writeTree(json, data);
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("a JsonNode always serializes into memory", e);
        }
        return out.toByteArray();
    }

    /** Parses a raw-topic record value; a value that is not an envelope is a {@link MalformedEnvelopeException}. */
    public static EventEnvelope fromBytes(ObjectMapper mapper, byte[] value) {
        if (value == null) {
            throw new MalformedEnvelopeException("record has no value");
        }
        JsonNode node;
        try {
            node = mapper.readTree(value);
        } catch (java.io.IOException e) {
            throw new MalformedEnvelopeException("record value is not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new MalformedEnvelopeException("record value is not a JSON object");
        }
        return new EventEnvelope(text(node, "dataset"), text(node, "event_id"),
                instant(node, "event_time"), instant(node, "received_at"), node.get("data"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new MalformedEnvelopeException("envelope field '" + field + "' is missing or not a string");
        }
        return v.asText();
    }

    private static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        try {
            return Rfc3339.parseInstant(text);
        } catch (DateTimeException e) {
            throw new MalformedEnvelopeException("envelope field '" + field + "' is not an RFC 3339 instant: " + text);
        }
    }
}
