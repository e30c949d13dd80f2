package dev.pulse.api.limits;

/** Ingest rates: events per second and bytes per second. */
public record Rates(long eventsPerSecond, long bytesPerSecond) {
    public Rates {
        if (eventsPerSecond < 1 || bytesPerSecond < 1) {
            throw new IllegalArgumentException("rates must be positive: " + eventsPerSecond + " events/s, " + bytesPerSecond + " bytes/s");
        }
    }
}
