package dev.pulse.api.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.http.ProblemException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Typed reads of the members of an operator request body; a wrong type is a 400 naming the member. */
final class Fields {
    private final JsonNode body;

    Fields(JsonNode body) {
        if (!body.isObject()) {
            throw ProblemException.badRequest("invalid-body", "the body must be a JSON object");
        }
        this.body = body;
    }

    String requiredString(String name) {
        String value = optionalString(name);
        if (value == null) {
            throw ProblemException.badRequest("missing-field", "'" + name + "' is required");
        }
        return value;
    }

    String optionalString(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be a string");
        }
        return node.textValue();
    }

    Integer optionalPositiveInt(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be a positive integer");
        }
        return node.intValue();
    }

    Instant optionalInstant(String name) {
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

    JsonNode requiredObject(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            throw ProblemException.badRequest("missing-field", "'" + name + "' is required");
        }
        if (!node.isObject()) {
            throw ProblemException.badRequest("invalid-field", "'" + name + "' must be a JSON object");
        }
        return node;
    }

    JsonNode requiredArray(String name) {
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
