package dev.pulse.api.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.ApiConfig;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.event.EventEnvelope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The events of one request, checked as a whole: either every event is a valid envelope or the
 * request fails listing every bad event and field, so a batch is never half accepted. The checks
 * of each member are {@link EnvelopeFields}'.
 */
record EventBatch(List<EventEnvelope> events) {

    /** One bad field of one event, as listed in the problem's {@code errors} member; {@code line} only for NDJSON. */
    record EventError(int index, @JsonInclude(JsonInclude.Include.NON_NULL) Integer line, String field, String message) {
    }

    static EventBatch parse(EventItems items, ApiConfig.EventTimeBounds bounds, Instant receivedAt) {
        EnvelopeFields fields = new EnvelopeFields(bounds, receivedAt);
        List<EventError> errors = new ArrayList<>();
        List<EventEnvelope> events = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            EventEnvelope event = fields.envelope(i, items.line(i), items.nodes().get(i), errors);
            if (event != null) {
                events.add(event);
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.badRequest("invalid-events", errors.size() + " problem(s) in the events; nothing was accepted",
                    errors);
        }
        return new EventBatch(events);
    }

    /** The body's events: one object, or a non-empty array of at most {@code maxEvents}. */
    static EventItems items(JsonNode body, int maxEvents) {
        if (body.isObject()) {
            return EventItems.json(List.of(body));
        }
        if (!body.isArray()) {
            throw ProblemException.badRequest("invalid-body", "the body must be one event object or an array of event objects");
        }
        if (body.isEmpty()) {
            throw ProblemException.badRequest("empty-batch", "the array holds no events; send at least one");
        }
        if (body.size() > maxEvents) {
            throw tooManyEvents(body.size(), maxEvents);
        }
        List<JsonNode> nodes = new ArrayList<>(body.size());
        body.forEach(nodes::add);
        return EventItems.json(nodes);
    }

    static ProblemException tooManyEvents(int count, int maxEvents) {
        return ProblemException.tooLarge("too-many-events", "the request holds " + count + " events; at most " + maxEvents + " are accepted per request");
    }

    Set<String> datasets() {
        Set<String> slugs = new LinkedHashSet<>();
        events.forEach(e -> slugs.add(e.dataset()));
        return slugs;
    }

    List<String> eventIds() {
        return events.stream().map(EventEnvelope::eventId).toList();
    }
}
