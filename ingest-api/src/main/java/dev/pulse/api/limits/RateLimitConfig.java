package dev.pulse.api.limits;

import dev.pulse.control.limits.RateLimitOverride;
import java.time.Duration;

/**
 * The edge's rate-limit settings: the default rates of each tier, how many seconds of its rate a
 * tenant may send at once ({@code burst}), among how many replicas each rate is shared, and how long
 * a tenant's rates are kept before they are read again.
 */
public record RateLimitConfig(Rates free, Rates standard, Rates enterprise, Duration burst, int replicas, Duration refresh) {
    public RateLimitConfig {
        if (replicas < 1 || burst.isNegative() || burst.isZero()) {
            throw new IllegalArgumentException("replicas must be at least 1 and the burst positive");
        }
    }

    /** The rates a tenant gets: its own where an operator set them, its tier's otherwise. */
    public Rates ratesFor(String tier, RateLimitOverride override) {
        Rates byTier = switch (tier) {
            case "free" -> free;
            case "enterprise" -> enterprise;
            default -> standard;
        };
        return new Rates(override.eventsPerSecond() == null ? byTier.eventsPerSecond() : override.eventsPerSecond(),
                override.bytesPerSecond() == null ? byTier.bytesPerSecond() : override.bytesPerSecond());
    }
}
