package dev.pulse.api.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.ApiConfig;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.EventTimeRange;
import dev.pulse.schemas.naming.Slugs;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The events of one request, checked as a whole: either every event is a valid envelope or the
 * request fails listing every bad event and field, so a batch is never half accepted.
 */
record EventBatch(List<EventEnvelope> events) {
    static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** One bad field of one event, as listed in the problem's {@code errors} member. */
    record EventError(int index, String field, String message) {
    }

    static EventBatch parse(JsonNode body, ApiConfig.Limits limits, Instant receivedAt) {
        List<JsonNode> items = new ArrayList<>();
        if (body.isObject()) {
            items.add(body);
        } else if (body.isArray()) {
            if (body.isEmpty()) {
                throw ProblemException.badRequest("empty-batch", "the array holds no events; send at least one");
            }
            if (body.size() > limits.maxEventsPerRequest()) {
                throw ProblemException.tooLarge("too-many-events", "the request holds " + body.size()
                        + " events; at most " + limits.maxEventsPerRequest() + " are accepted per request");
            }
            body.forEach(items::add);
        } else {
            throw ProblemException.badRequest("invalid-body", "the body must be one event object or an array of event objects");
        }
        List<EventError> errors = new ArrayList<>();
        List<EventEnvelope> events = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            EventEnvelope event = envelope(i, items.get(i), receivedAt, errors);
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

    /** The envelope of a valid event, or null after adding what is wrong with it to {@code errors}. */
    private static EventEnvelope envelope(int index, JsonNode item, Instant receivedAt, List<EventError> errors) {
        if (!item.isObject()) {
            errors.add(new EventError(index, "", "an event must be a JSON object"));
            return null;
        }
        int before = errors.size();
        String dataset = null;
        JsonNode datasetNode = item.get("dataset");
        if (isAbsent(datasetNode)) {
            errors.add(new EventError(index, "dataset", "is required"));
        } else if (!datasetNode.isTextual() || !Slugs.isValidSlug(datasetNode.textValue())) {
            errors.add(new EventError(index, "dataset", "must be a dataset slug matching " + Slugs.SLUG.pattern()));
        } else {
            dataset = datasetNode.textValue();
        }
        String eventId = UUID.randomUUID().toString();
        JsonNode idNode = item.get("event_id");
        if (!isAbsent(idNode)) {
            if (!idNode.isTextual() || !EVENT_ID.matcher(idNode.textValue()).matches()) {
                errors.add(new EventError(index, "event_id", "must be a string of 1 to 128 characters from [A-Za-z0-9._:-]"));
            } else {
                eventId = idNode.textValue();
            }
        }
        Instant eventTime = receivedAt;
        JsonNode timeNode = item.get("timestamp");
        if (!isAbsent(timeNode)) {
            try {
                if (!timeNode.isTextual()) {
                    throw new DateTimeParseException("not a string", timeNode.toString(), 0);
                }
                Instant parsed = EventTimeRange.toStoredPrecision(
                        OffsetDateTime.parse(timeNode.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
                if (EventTimeRange.contains(parsed)) {
                    eventTime = parsed;
                } else {
                    errors.add(new EventError(index, "timestamp", "must lie between " + EventTimeRange.MIN_TEXT + " and "
                            + EventTimeRange.MAX_TEXT + " (years 0001 to 9999)"));
                }
            } catch (DateTimeParseException e) {
                errors.add(new EventError(index, "timestamp", "must be an RFC 3339 date-time with an offset, e.g. 2024-05-01T12:00:00Z"));
            }
        }
        JsonNode data = item.get("data");
        if (isAbsent(data)) {
            errors.add(new EventError(index, "data", "is required"));
        } else if (!data.isObject()) {
            errors.add(new EventError(index, "data", "must be a JSON object"));
        }
        return errors.size() > before ? null : new EventEnvelope(dataset, eventId, eventTime, receivedAt, data);
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull();
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
