package dev.pulse.control.limits;

import dev.pulse.control.InvalidFieldException;

/**
 * A tenant's own ingest rates; a null member means its tier's default. Ranges as V11's checks:
 * 1 to 10,000,000 events per second, 1 KiB to 10 GiB per second.
 */
public record RateLimitOverride(Long eventsPerSecond, Long bytesPerSecond) {
    public static final long MAX_EVENTS_PER_SECOND = 10_000_000L;
    public static final long MIN_BYTES_PER_SECOND = 1024L;
    public static final long MAX_BYTES_PER_SECOND = 10L * 1024 * 1024 * 1024;
    /** Both rates from the tier. */
    public static final RateLimitOverride NONE = new RateLimitOverride(null, null);

    public RateLimitOverride {
        if (eventsPerSecond != null && (eventsPerSecond < 1 || eventsPerSecond > MAX_EVENTS_PER_SECOND)) {
            throw new InvalidFieldException("invalid-rate-limit", "events_per_second", "events_per_second " + eventsPerSecond
                    + " is out of range: use 1 to " + MAX_EVENTS_PER_SECOND + ", or null for the tier's default");
        }
        if (bytesPerSecond != null && (bytesPerSecond < MIN_BYTES_PER_SECOND || bytesPerSecond > MAX_BYTES_PER_SECOND)) {
            throw new InvalidFieldException("invalid-rate-limit", "bytes_per_second", "bytes_per_second " + bytesPerSecond
                    + " is out of range: use " + MIN_BYTES_PER_SECOND + " to " + MAX_BYTES_PER_SECOND + ", or null for the tier's default");
        }
    }
}
