package dev.pulse.schemas.deadletters;

import java.util.Locale;
import java.util.Optional;

/** Where one dead letter stands. */
public enum DeadLetterState {
    /** Waiting for a replay or a drop. */
    OPEN,
    /** Selected by a replay run that has not yet confirmed it sent the event back. */
    REPLAYING,
    /** Back in the raw topic (if it fails again, it is open again with one more attempt). */
    REPLAYED,
    /** Resolved without a replay. */
    DROPPED,
    /** Failed {@code PULSE_DLQ_PARK_AFTER} replays: later replays skip it unless asked for parked ones. */
    PARKED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DeadLetterState> fromWire(String text) {
        for (DeadLetterState s : values()) {
            if (s.wireName().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
