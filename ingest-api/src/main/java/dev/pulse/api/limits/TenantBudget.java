package dev.pulse.api.limits;

/** One tenant's two buckets on this replica, taken from together or not at all. */
final class TenantBudget {
    private final TokenBucket events;
    private final TokenBucket bytes;
    private final double burstSeconds;
    private Rates rates;

    TenantBudget(Rates rates, double burstSeconds, int replicas, long now) {
        this.rates = rates;
        this.burstSeconds = burstSeconds;
        this.events = new TokenBucket(share(rates.eventsPerSecond(), replicas), share(rates.eventsPerSecond(), replicas) * burstSeconds, now);
        this.bytes = new TokenBucket(share(rates.bytesPerSecond(), replicas), share(rates.bytesPerSecond(), replicas) * burstSeconds, now);
    }

    private static double share(long rate, int replicas) {
        return (double) rate / replicas;
    }

    synchronized void reconfigure(Rates newRates, int replicas, long now) {
        if (!newRates.equals(rates)) {
            double eventRate = share(newRates.eventsPerSecond(), replicas);
            double byteRate = share(newRates.bytesPerSecond(), replicas);
            events.reconfigure(eventRate, eventRate * burstSeconds, now);
            bytes.reconfigure(byteRate, byteRate * burstSeconds, now);
            rates = newRates;
        }
    }

    /** Takes {@code eventCount} and {@code byteCount} when both buckets hold them; otherwise takes nothing. */
    synchronized AdmissionResult admit(long eventCount, long byteCount, long now) {
        events.refill(now);
        bytes.refill(now);
        boolean admitted = events.holds(eventCount) && bytes.holds(byteCount);
        if (admitted) {
            events.take(eventCount);
            bytes.take(byteCount);
        }
        return new AdmissionResult(admitted, state(events, admitted ? 0 : eventCount), state(bytes, admitted ? 0 : byteCount), burstSeconds);
    }

    /** Whether both buckets hold {@code eventCount} and {@code byteCount} now; takes nothing. */
    synchronized AdmissionResult peek(long eventCount, long byteCount, long now) {
        events.refill(now);
        bytes.refill(now);
        boolean holds = events.holds(eventCount) && bytes.holds(byteCount);
        return new AdmissionResult(holds, state(events, holds ? 0 : eventCount), state(bytes, holds ? 0 : byteCount), burstSeconds);
    }

    /** Gives back what an admitted request took when nothing of it was accepted after all (its dataset unknown, Kafka unavailable). */
    synchronized void giveBack(long eventCount, long byteCount, long now) {
        events.refill(now);
        bytes.refill(now);
        events.giveBack(eventCount);
        bytes.giveBack(byteCount);
    }

    private static AdmissionResult.Bucket state(TokenBucket bucket, long wanted) {
        return new AdmissionResult.Bucket(bucket.capacity(), bucket.remaining(), bucket.secondsUntilFull(), bucket.secondsUntil(wanted));
    }
}
