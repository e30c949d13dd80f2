package dev.pulse.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.edge.ProblemException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Typed reads of the members of a control-plane request body; a wrong type is a 400 naming the member. */
public final class Fields {
    private final JsonNode body;
    private final String prefix;

    public Fields(JsonNode body) {
        this(body, "");
    }

    /** The members of a nested object, named {@code <prefix><member>} in errors (e.g. {@code bucket.count}). */
    public Fields(JsonNode body, String prefix) {
        if (!body.isObject()) {
            throw ProblemException.badRequest("invalid-body", prefix.isEmpty() ? "the body must be a JSON object"
                    : "'" + prefix.substring(0, prefix.length() - 1) + "' must be a JSON object");
        }
        this.body = body;
        this.prefix = prefix;
    }

    private ProblemException missing(String name) {
        return ProblemException.invalidField("missing-field", prefix + name, "'" + prefix + name + "' is required");
    }

    private ProblemException invalid(String name, String must) {
        return ProblemException.invalidField("invalid-field", prefix + name, "'" + prefix + name + "' must be " + must);
    }

    public String requiredString(String name) {
        String value = optionalString(name);
        if (value == null) {
            throw missing(name);
        }
        return value;
    }

    public String optionalString(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid(name, "a string");
        }
        return node.textValue();
    }

    public Integer optionalPositiveInt(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
            throw invalid(name, "a positive integer");
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
            throw invalid(name, "an RFC 3339 date-time with an offset, e.g. 2030-01-01T00:00:00Z");
        }
    }

    public JsonNode requiredObject(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            throw missing(name);
        }
        if (!node.isObject()) {
            throw invalid(name, "a JSON object");
        }
        return node;
    }

    public Long optionalNonNegativeLong(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw invalid(name, "a non-negative integer");
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
            throw invalid(name, "a JSON object");
        }
        return node;
    }

    public JsonNode requiredArray(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            throw missing(name);
        }
        if (!node.isArray()) {
            throw invalid(name, "a JSON array");
        }
        return node;
    }
}
