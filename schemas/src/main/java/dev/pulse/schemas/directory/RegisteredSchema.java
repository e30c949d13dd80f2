package dev.pulse.schemas.directory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.event.EventSchema;
import java.time.Instant;

/** One version of a named event schema, with its parsed form. */
public record RegisteredSchema(String name, int version, JsonNode definition, EventSchema parsed, String fingerprint, Instant createdAt) {
}
