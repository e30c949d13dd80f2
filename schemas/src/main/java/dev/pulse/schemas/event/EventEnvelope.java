package dev.pulse.schemas.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One event as it travels through Kafka's raw topic: the envelope the API completed (event id,
 * event time, receive time) around the producer's {@code data}. The tenant is not in here: it is
 * the tenant of the topic.
 */
public record EventEnvelope(String dataset, String eventId, Instant eventTime, Instant receivedAt, JsonNode data) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public byte[] toBytes() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("dataset", dataset);
        node.put("event_id", eventId);
        node.put("event_time", eventTime.toString());
        node.put("received_at", receivedAt.toString());
        node.set("data", data);
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JsonNode always serializes", e);
        }
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
            return InstantText.parse(text);
        } catch (DateTimeParseException e) {
            throw new MalformedEnvelopeException("envelope field '" + field + "' is not an RFC 3339 instant: " + text);
        }
    }
}
