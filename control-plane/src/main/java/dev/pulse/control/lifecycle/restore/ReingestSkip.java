package dev.pulse.control.lifecycle.restore;

import dev.pulse.control.ControlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an operator leaves out of a re-ingest (the bad batch): raw-topic offset ranges
 * ({@code --skip-offsets 0:1200-1499,1:80-95}, inclusive, as {@code pulse dlq list} and the dry
 * run print positions), a window of the envelope's {@code received_at}
 * ({@code --skip-received FROM/UNTIL}, half-open: one bulk import is one request, so one
 * {@code received_at}), and event ids ({@code --skip-event-ids a,b} or {@code @file}, one a line).
 */
public record ReingestSkip(List<OffsetRange> offsets, Instant receivedFrom, Instant receivedUntil, Set<String> eventIds) {
    public static final ReingestSkip NOTHING = new ReingestSkip(List.of(), null, null, Set.of());

    /** Offsets {@code from} to {@code to}, both included, of one raw-topic partition. */
    public record OffsetRange(int partition, long from, long to) {
        boolean contains(int p, long offset) {
            return p == partition && offset >= from && offset <= to;
        }

        @Override
        public String toString() {
            return partition + ":" + from + "-" + to;
        }
    }

    public static ReingestSkip parse(List<String> offsets, String received, List<String> eventIds) {
        List<OffsetRange> ranges = new ArrayList<>();
        for (String text : offsets == null ? List.<String>of() : offsets) {
            ranges.add(range(text.trim()));
        }
        Instant from = null;
        Instant until = null;
        if (received != null) {
            String[] parts = received.split("/", -1);
            if (parts.length != 2) {
                throw ControlException.invalid("restore-skip", "--skip-received needs FROM/UNTIL, e.g. 2026-12-02T18:00:00Z/2026-12-02T18:05:00Z");
            }
            from = instant(parts[0]);
            until = instant(parts[1]);
            if (!from.isBefore(until)) {
                throw ControlException.invalid("restore-skip", "--skip-received: FROM must be before UNTIL");
            }
        }
        Set<String> ids = new HashSet<>();
        for (String text : eventIds == null ? List.<String>of() : eventIds) {
            if (text.startsWith("@")) {
                try {
                    Files.readAllLines(Path.of(text.substring(1))).stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(ids::add);
                } catch (IOException e) {
                    throw ControlException.invalid("restore-skip", "--skip-event-ids: cannot read " + text.substring(1) + ": " + e.getMessage());
                }
            } else if (!text.isBlank()) {
                ids.add(text.trim());
            }
        }
        return new ReingestSkip(List.copyOf(ranges), from, until, Set.copyOf(ids));
    }

    /** Whether the operator left this record out. */
    boolean skips(int partition, long offset, String eventId, Instant receivedAt) {
        for (OffsetRange r : offsets) {
            if (r.contains(partition, offset)) {
                return true;
            }
        }
        if (receivedFrom != null && receivedAt != null && !receivedAt.isBefore(receivedFrom) && receivedAt.isBefore(receivedUntil)) {
            return true;
        }
        return eventId != null && eventIds.contains(eventId);
    }

    String describe() {
        List<String> parts = new ArrayList<>();
        if (!offsets.isEmpty()) {
            parts.add("offsets " + offsets);
        }
        if (receivedFrom != null) {
            parts.add("received " + receivedFrom + "/" + receivedUntil);
        }
        if (!eventIds.isEmpty()) {
            parts.add(eventIds.size() + " event id(s)");
        }
        return parts.isEmpty() ? "nothing" : String.join(", ", parts);
    }

    private static OffsetRange range(String text) {
        int colon = text.indexOf(':');
        int dash = text.indexOf('-', colon + 1);
        try {
            if (colon <= 0) {
                throw new NumberFormatException();
            }
            int partition = Integer.parseInt(text.substring(0, colon));
            long from = Long.parseLong(dash < 0 ? text.substring(colon + 1) : text.substring(colon + 1, dash));
            long to = dash < 0 ? from : Long.parseLong(text.substring(dash + 1));
            if (partition < 0 || from < 0 || to < from) {
                throw new NumberFormatException();
            }
            return new OffsetRange(partition, from, to);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw ControlException.invalid("restore-skip", "--skip-offsets: '" + text + "' is not PARTITION:FROM-TO (e.g. 0:1200-1499) or PARTITION:OFFSET");
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw ControlException.invalid("restore-skip", "'" + text + "' is not an RFC 3339 instant");
        }
    }
}
