package dev.pulse.api.limits;

/**
 * One token bucket: fills at {@code rate} tokens per second up to {@code capacity}. Not
 * thread-safe: {@link TenantBudget} guards its two buckets together. Time is {@link System#nanoTime}.
 */
final class TokenBucket {
    private double rate;
    private double capacity;
    private double tokens;
    private long updatedAt;

    TokenBucket(double rate, double capacity, long now) {
        this.rate = rate;
        this.capacity = capacity;
        this.tokens = capacity;
        this.updatedAt = now;
    }

    /** A changed rate: the bucket keeps what it holds, up to the new capacity. */
    void reconfigure(double newRate, double newCapacity, long now) {
        refill(now);
        rate = newRate;
        capacity = newCapacity;
        tokens = Math.min(tokens, capacity);
    }

    void refill(long now) {
        if (now > updatedAt) {
            tokens = Math.min(capacity, tokens + (now - updatedAt) * rate / 1e9);
            updatedAt = now;
        }
    }

    boolean holds(long amount) {
        return tokens >= amount;
    }

    void take(long amount) {
        tokens -= amount;
    }

    /** Puts back tokens taken for work that was not done, up to the capacity. */
    void giveBack(long amount) {
        tokens = Math.min(capacity, tokens + amount);
    }

    /** Seconds until it holds {@code amount} (0 when it does). */
    double secondsUntil(long amount) {
        return tokens >= amount ? 0 : (amount - tokens) / rate;
    }

    /** Seconds until it is full again. */
    double secondsUntilFull() {
        return (capacity - tokens) / rate;
    }

    long remaining() {
        return (long) Math.floor(tokens);
    }

    long capacity() {
        return (long) Math.floor(capacity);
    }
}
