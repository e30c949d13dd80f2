package dev.pulse.api.limits;

import dev.pulse.control.limits.RateLimitOverride;
import dev.pulse.control.limits.RateLimitSettings;
import dev.pulse.schemas.naming.TenantId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each tenant's rates, kept for the refresh interval: the first request of a tenant, and its first
 * after each interval, reads its row (tier and own rates) in one tenant-bound query; every other
 * request reads memory. When that read fails, the rates last read stay in force (a limit must not
 * turn a database hiccup into refusals); a tenant never read before fails the request (503).
 */
final class TenantRates {
    private static final Logger LOG = LoggerFactory.getLogger(TenantRates.class);

    private record Cached(Rates rates, long readAt) {
    }

    private final RateLimitSettings settings;
    private final RateLimitConfig config;
    private final long refreshNanos;
    private final Map<TenantId, Cached> cache = new ConcurrentHashMap<>();

    TenantRates(RateLimitSettings settings, RateLimitConfig config) {
        this.settings = settings;
        this.config = config;
        this.refreshNanos = config.refresh().toNanos();
    }

    Rates of(TenantId tenant, long now) {
        Cached cached = cache.get(tenant);
        if (cached != null && now - cached.readAt() < refreshNanos) {
            return cached.rates();
        }
        Rates rates;
        try {
            rates = settings.read(tenant).map(r -> config.ratesFor(r.tier(), r.override()))
                    .orElseGet(() -> config.ratesFor("standard", RateLimitOverride.NONE));
        } catch (RuntimeException e) {
            if (cached == null) {
                throw e;
            }
            LOG.warn("reading the rate limits of tenant {} failed; keeping the last ones read: {}", tenant, e.toString());
            rates = cached.rates();
        }
        cache.put(tenant, new Cached(rates, now));
        return rates;
    }
}
