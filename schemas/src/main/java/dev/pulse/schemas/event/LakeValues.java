package dev.pulse.schemas.event;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * What a table can hold faithfully. A value outside these bounds is refused with a reason, never
 * stored altered.
 *
 * <ul>
 * <li><b>Timestamps</b> ({@code event_time}, {@code received_at}, {@code date-time} properties)
 * are stored as Iceberg microseconds, between {@link #MIN_TIMESTAMP} and {@link #MAX_TIMESTAMP}:
 * the years RFC 3339 can write (four digits). Wider instants would overflow Iceberg's 64-bit
 * microseconds or its 32-bit hour partitions long before the end of Java's range. Finer than a
 * microsecond is <b>truncated</b> toward the past ({@code .145224191} → {@code .145224}), never
 * rounded: Java's {@code MICROS.between}, which Iceberg's writer uses, rounds a time before 1970
 * toward 1970, which can move it into another second, day or partition.</li>
 * <li><b>Dates</b> ({@code date} properties): the same four-digit years.</li>
 * <li><b>Strings</b> must be well-formed Unicode: Parquet stores UTF-8, which cannot encode a lone
 * surrogate (JSON lets one through as {@code "\ud800"}); Java's encoder would silently write
 * {@code ?}. Such a string is refused, not altered.</li>
 * </ul>
 */
public final class LakeValues {
    public static final Instant MIN_TIMESTAMP = Instant.parse("0000-01-01T00:00:00Z");
    public static final Instant MAX_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999999Z");
    public static final LocalDate MIN_DATE = LocalDate.of(0, 1, 1);
    public static final LocalDate MAX_DATE = LocalDate.of(9999, 12, 31);

    private LakeValues() {
    }

    /** The instant as the lake stores it (UTC, truncated to microseconds), or empty when outside the range. */
    static Optional<OffsetDateTime> timestamp(Instant instant) {
        Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
        if (micros.isBefore(MIN_TIMESTAMP) || micros.isAfter(MAX_TIMESTAMP)) {
            return Optional.empty();
        }
        return Optional.of(micros.atOffset(ZoneOffset.UTC));
    }

    public static boolean dateInRange(LocalDate date) {
        return !date.isBefore(MIN_DATE) && !date.isAfter(MAX_DATE);
    }

    /** Index of the first unpaired surrogate of {@code s}, or -1 when {@code s} is well-formed UTF-16. */
    public static int loneSurrogateIndex(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** The reason a timestamp is refused, for DLQ messages. */
    static String timestampRange() {
        return "outside the range a table stores (" + MIN_TIMESTAMP + " to " + MAX_TIMESTAMP + ": RFC 3339 years have four digits)";
    }

    static String loneSurrogate(CharSequence s, int index) {
        return "contains a lone surrogate U+" + Integer.toHexString(s.charAt(index)).toUpperCase(java.util.Locale.ROOT)
                + " at character " + index + ": not Unicode text, so it cannot be stored as UTF-8";
    }
}
