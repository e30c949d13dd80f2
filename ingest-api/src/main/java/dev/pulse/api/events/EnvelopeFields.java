package dev.pulse.api.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.ApiConfig;
import dev.pulse.api.events.EventBatch.EventError;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.EventTimeRange;
import dev.pulse.schemas.event.Rfc3339;
import dev.pulse.schemas.naming.Slugs;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The envelope of one event, member by member: exactly {@code dataset}, {@code event_id},
 * {@code timestamp} and {@code data}, each in its range (README, "Field ranges"). This runs for
 * every event the API accepts, so it uses character checks rather than regexes, parses the common
 * RFC 3339 shape by hand ({@link Rfc3339}) and draws a random id only for an event without one.
 */
final class EnvelopeFields {
    static final Set<String> MEMBERS = Set.of("dataset", "event_id", "timestamp", "data");
    /** Names producers reach for when they mean {@code timestamp}. */
    private static final Set<String> TIME_ALIASES = Set.of("event_time", "ts", "time", "eventTime", "timestamp_ms", "occurred_at");
    private static final int MAX_EVENT_ID_LENGTH = 128;
    private static final int MAX_UNKNOWN_NAMED = 10;

    private final ApiConfig.EventTimeBounds bounds;
    private final Instant receivedAt;
    private final Instant latest;

    EnvelopeFields(ApiConfig.EventTimeBounds bounds, Instant receivedAt) {
        this.bounds = bounds;
        this.receivedAt = receivedAt;
        this.latest = receivedAt.plus(bounds.maxSkew());
    }

    /** The envelope of a valid event, or null after adding what is wrong with it to {@code errors}. */
    EventEnvelope envelope(int index, Integer line, JsonNode item, List<EventError> errors) {
        if (item == null || !item.isObject()) {
            errors.add(new EventError(index, line, "", "an event must be a JSON object"));
            return null;
        }
        int before = errors.size();
        unknownMembers(index, line, item, errors);
        String dataset = dataset(index, line, item.get("dataset"), errors);
        String eventId = eventId(index, line, item.get("event_id"), errors);
        Instant eventTime = eventTime(index, line, item.get("timestamp"), errors);
        JsonNode data = item.get("data");
        if (isAbsent(data)) {
            errors.add(new EventError(index, line, "data", "is required"));
        } else if (!data.isObject()) {
            errors.add(new EventError(index, line, "data", "must be a JSON object"));
        }
        return errors.size() > before ? null : new EventEnvelope(dataset, eventId, eventTime, receivedAt, data);
    }

    private static void unknownMembers(int index, Integer line, JsonNode item, List<EventError> errors) {
        int named = 0;
        for (Iterator<String> names = item.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MEMBERS.contains(name) && named++ < MAX_UNKNOWN_NAMED) {
                errors.add(new EventError(index, line, abbreviate(name), "is not an envelope member (dataset, event_id, timestamp, data)"
                        + (TIME_ALIASES.contains(name) ? "; the event's time goes in 'timestamp'" : "; put the event's own fields in 'data'")));
            }
        }
    }

    private static String dataset(int index, Integer line, JsonNode node, List<EventError> errors) {
        if (isAbsent(node)) {
            errors.add(new EventError(index, line, "dataset", "is required"));
            return null;
        }
        if (!node.isTextual() || !Slugs.isValidSlug(node.textValue())) {
            errors.add(new EventError(index, line, "dataset", "must be a dataset slug matching " + Slugs.SLUG.pattern()));
            return null;
        }
        return node.textValue();
    }

    private static String eventId(int index, Integer line, JsonNode node, List<EventError> errors) {
        if (isAbsent(node)) {
            return UUID.randomUUID().toString();
        }
        if (!node.isTextual() || !isValidEventId(node.textValue())) {
            errors.add(new EventError(index, line, "event_id", "must be a string of 1 to 128 characters from [A-Za-z0-9._:-]"));
            return null;
        }
        return node.textValue();
    }

    /** {@code [A-Za-z0-9._:-]{1,128}}, by hand. */
    static boolean isValidEventId(String id) {
        if (id.isEmpty() || id.length() > MAX_EVENT_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private Instant eventTime(int index, Integer line, JsonNode node, List<EventError> errors) {
        if (isAbsent(node)) {
            return receivedAt;
        }
        Instant parsed;
        try {
            if (!node.isTextual()) {
                throw new DateTimeException("not a string");
            }
            parsed = EventTimeRange.toStoredPrecision(Rfc3339.parseInstant(node.textValue()));
        } catch (DateTimeException e) {
            errors.add(new EventError(index, line, "timestamp", "must be an RFC 3339 date-time with an offset, e.g. 2024-05-01T12:00:00Z"));
            return null;
        }
        if (!EventTimeRange.contains(parsed)) {
            errors.add(new EventError(index, line, "timestamp", "must lie between " + EventTimeRange.MIN_TEXT + " and "
                    + EventTimeRange.MAX_TEXT + " (years 0001 to 9999)"));
            return null;
        }
        if (parsed.isBefore(bounds.floor())) {
            errors.add(new EventError(index, line, "timestamp", "event-time-out-of-range: " + parsed + " is before "
                    + bounds.floor() + ", the earliest event time accepted (PULSE_EVENT_TIME_FLOOR)"));
            return null;
        }
        if (parsed.isAfter(latest)) {
            errors.add(new EventError(index, line, "timestamp", "event-time-out-of-range: " + parsed + " is more than "
                    + bounds.maxSkew() + " ahead of the server's clock (" + receivedAt + "; PULSE_EVENT_TIME_MAX_SKEW): check the producer's clock"));
            return null;
        }
        return parsed;
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull();
    }

    /** The member's name as the error names it: at most 64 characters, anything but printable ASCII as {@code \\uXXXX}. */
    private static String abbreviate(String name) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < Math.min(name.length(), 64); i++) {
            char c = name.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                shown.append(c);
            } else {
                shown.append(String.format("\\u%04x", (int) c));
            }
        }
        return name.length() <= 64 ? shown.toString() : shown + "…";
    }
}
