package dev.pulse.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Typed reads of the members of a control-plane request body; a wrong type is a 400 naming the member. */
public final class Fields {
    private final JsonNode body;

    public Fields(JsonNode body) {
        if (!body.isObject()) {
            throw ProblemException.badRequest("invalid-body", "the body must be a JSON object");
        }
        this.body = body;
    }

    public String requiredString(String name) {
        String value = optionalString(name);
        if (value == null) {
            throw ProblemException.badRequest("missing-field", "'" + name + "' is required");
        }
        return value;
    }

    public String optionalString(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be a string");
        }
        return node.textValue();
    }

    public Integer optionalPositiveInt(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be a positive integer");
        }
        return node.intValue();
    }

    public Instant optionalInstant(String name) {
        String text = optionalString(name);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be an RFC 3339 date-time with an offset, e.g. 2030-01-01T00:00:00Z");
        }
    }

    public JsonNode requiredObject(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            throw ProblemException.badRequest("missing-field", "'" + name + "' is required");
        }
        if (!node.isObject()) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be a JSON object");
        }
        return node;
    }

    public Long optionalNonNegativeLong(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be a non-negative integer");
        }
        return node.longValue();
    }

    /** An optional member that must be an object when present. */
    public JsonNode optionalObject(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be a JSON object");
        }
        return node;
    }

    public JsonNode requiredArray(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            throw ProblemException.badRequest("missing-field", "'" + name + "' is required");
        }
        if (!node.isArray()) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be a JSON array");
        }
        return node;
    }
}
