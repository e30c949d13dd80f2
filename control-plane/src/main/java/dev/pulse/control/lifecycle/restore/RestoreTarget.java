package dev.pulse.control.lifecycle.restore;

import dev.pulse.control.ControlException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code pulse tenant restore --to} goes: one instant for every dataset of the tenant
 * ({@code 2026-12-02T18:00:00Z}), or a point per named dataset ({@code orders=5123…,clicks=2026-12-02T18:00:00Z},
 * a snapshot id or an instant each), which restores only those datasets.
 */
public record RestoreTarget(Optional<Instant> everyDataset, Map<String, Point> perDataset) {

    /** One dataset's point: a snapshot id or an instant (the newest retained snapshot at or before it). */
    public record Point(Long snapshotId, Instant at) {
        @Override
        public String toString() {
            return snapshotId != null ? "snapshot " + snapshotId : at.toString();
        }
    }

    public static RestoreTarget parse(String text) {
        if (text == null || text.isBlank()) {
            throw ControlException.invalid("restore-target", "--to needs an instant (2026-12-02T18:00:00Z) or dataset=snapshot-id|instant pairs");
        }
        if (!text.contains("=")) {
            return new RestoreTarget(Optional.of(instant(text)), Map.of());
        }
        Map<String, Point> points = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw ControlException.invalid("restore-target", "'" + pair + "' is not dataset=snapshot-id or dataset=instant");
            }
            String dataset = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            Point point = value.chars().allMatch(Character::isDigit) ? new Point(Long.parseLong(value), null) : new Point(null, instant(value));
            if (points.put(dataset, point) != null) {
                throw ControlException.invalid("restore-target", "dataset '" + dataset + "' is named twice in --to");
            }
        }
        return new RestoreTarget(Optional.empty(), Map.copyOf(points));
    }

    /** This dataset's point, or empty when the target does not name it. */
    Optional<Point> pointOf(String dataset) {
        return everyDataset.map(at -> new Point(null, at)).or(() -> Optional.ofNullable(perDataset.get(dataset)));
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw ControlException.invalid("restore-target", "'" + text + "' is not an RFC 3339 instant (e.g. 2026-12-02T18:00:00Z) nor a snapshot id");
        }
    }

    @Override
    public String toString() {
        return everyDataset.map(Instant::toString).orElse(perDataset.toString());
    }
}
