package dev.pulse.api.limits;

/**
 * What a tenant's budget said to one request: admitted or not and, per bucket, its capacity, what
 * remains, the seconds until it is full again, and (when refused) until the request would fit.
 */
public record AdmissionResult(boolean admitted, Bucket events, Bucket bytes, double burstSeconds) {
    /** One bucket's state right after the decision. */
    public record Bucket(long capacity, long remaining, double secondsUntilFull, double secondsUntilFits) {
    }

    /** Whole seconds until the refused request would fit in both buckets, at least 1. */
    public long retryAfterSeconds() {
        return Math.max(1, (long) Math.ceil(Math.max(events.secondsUntilFits(), bytes.secondsUntilFits())));
    }
}
