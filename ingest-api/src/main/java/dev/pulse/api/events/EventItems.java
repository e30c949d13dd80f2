package dev.pulse.api.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The events of one request body before their envelopes are checked: the items of a JSON array
 * (or the one object), or the lines of an NDJSON body. {@code lines} holds each item's 1-based
 * line in an NDJSON body (blank lines are skipped, so an item's index and its line can differ),
 * and is null for JSON.
 */
record EventItems(List<JsonNode> nodes, int[] lines) {
    static EventItems json(List<JsonNode> nodes) {
        return new EventItems(nodes, null);
    }

    int size() {
        return nodes.size();
    }

    /** The item's line in an NDJSON body, or null for JSON (then errors name the index only). */
    Integer line(int index) {
        return lines == null ? null : lines[index];
    }
}
