package dev.pulse.schemas.event;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The event times Pulse accepts: {@value #MIN_TEXT} to {@value #MAX_TEXT} inclusive, i.e. the
 * years 0001 to 9999 that an RFC 3339 date-time can write (four-digit years), at microsecond
 * precision. Every such instant is representable as an Iceberg {@code timestamptz} (microseconds
 * since the epoch in a long, about ±292,000 years), partitions by day and hour, and is readable
 * by DuckDB and Parquet; an instant outside it (such as {@code +292278994-08-17T07:12:55Z}, which
 * overflowed Iceberg's conversion) is refused by the API with a 400 naming {@code timestamp}. How
 * far from the present a producer's clock may be (skew) is a separate, later policy.
 */
public final class EventTimeRange {
    public static final String MIN_TEXT = "0001-01-01T00:00:00Z";
    public static final String MAX_TEXT = "9999-12-31T23:59:59.999999Z";
    public static final Instant MIN = Instant.parse(MIN_TEXT);
    public static final Instant MAX = Instant.parse(MAX_TEXT);

    private EventTimeRange() {
    }

    public static boolean contains(Instant instant) {
        return !instant.isBefore(MIN) && !instant.isAfter(MAX);
    }

    /**
     * The event time as stored: truncated (never rounded) to microseconds, Iceberg's precision, so
     * that the envelope carries exactly the value its row will hold.
     */
    public static Instant toStoredPrecision(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }
}
