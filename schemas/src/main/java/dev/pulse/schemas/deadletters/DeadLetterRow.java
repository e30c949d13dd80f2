package dev.pulse.schemas.deadletters;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One dead letter: the original event's latest failure and state. {@code payload} is the
 * original record value (null when it was too big for the DLQ: {@code omittedBytes} says how
 * big, and it stays at the source offset); {@code headers} are the record's own headers that travel
 * with it on a replay (name → UTF-8 text).
 */
public record DeadLetterRow(String id, DeadLetterState state, String reason, String stage, String message, String dataset,
        String eventId, List<Violation> violations, int sourcePartition, long sourceOffset, int dlqPartition, long dlqOffset,
        byte[] key, byte[] payload, Map<String, String> headers, Long omittedBytes, int attempts, Instant firstFailedAt,
        Instant lastFailedAt, Instant resolvedAt, String resolvedBy) {

    /** One schema violation: the JSON pointer into the event and what is wrong there. */
    public record Violation(String pointer, String message) {
    }

    /** The stable id of the event that first failed at this raw-topic position. */
    public static String idOf(int rawPartition, long rawOffset) {
        return rawPartition + "-" + rawOffset;
    }

    public static boolean isId(String text) {
        return text != null && text.matches("[0-9]{1,9}-[0-9]{1,19}");
    }
}
