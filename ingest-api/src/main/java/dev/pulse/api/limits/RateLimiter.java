package dev.pulse.api.limits;

import dev.pulse.control.limits.RateLimitSettings;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.naming.TenantId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Admits or refuses one request of a tenant, whole, against the tenant's budget on this replica. */
public final class RateLimiter {
    private final RateLimitConfig config;
    private final TenantRates rates;
    private final Map<TenantId, TenantBudget> budgets = new ConcurrentHashMap<>();

    public RateLimiter(RateLimitSettings settings, RateLimitConfig config) {
        this.config = config;
        this.rates = new TenantRates(settings, config);
    }

    /**
     * Takes the request's events and bytes from the tenant's budget and returns the state to
     * report; throws 429 (with {@code Retry-After} and the rate-limit fields) when the budget lacks
     * them now, 413 when the request is larger than a full budget.
     */
    public AdmissionResult admit(TenantId tenant, long eventCount, long byteCount) {
        long now = System.nanoTime();
        Rates current = rates.of(tenant, now);
        AdmissionResult result = budget(tenant, current, now).admit(eventCount, byteCount, now);
        if (result.admitted()) {
            return result;
        }
        if (eventCount > result.events().capacity() || byteCount > result.bytes().capacity()) {
            throw ProblemException.tooLarge("batch-over-rate-limit", "the request holds " + eventCount + " events (" + byteCount
                    + " bytes); this tenant may send at most " + result.events().capacity() + " events and " + result.bytes().capacity()
                    + " bytes at once (its rate limit's burst on this server): split it into smaller requests");
        }
        throw rateLimited(current, result);
    }

    /**
     * Refuses a request before its body is read when the tenant's budget cannot hold even one event
     * and one byte now: whatever the body holds, {@link #admit} would refuse it, and reading,
     * parsing and checking it first is what let a tenant over its limit keep taking the edge's CPU
     * (9,576 refused 500-event requests in one fairness bench). Takes nothing from the budget.
     */
    public void refuseIfExhausted(TenantId tenant) {
        long now = System.nanoTime();
        Rates current = rates.of(tenant, now);
        AdmissionResult result = budget(tenant, current, now).peek(1, 1, now);
        if (!result.admitted()) {
            throw rateLimited(current, result);
        }
    }

    private TenantBudget budget(TenantId tenant, Rates current, long now) {
        double burstSeconds = config.burst().toMillis() / 1000.0;
        TenantBudget budget = budgets.computeIfAbsent(tenant, t -> new TenantBudget(current, burstSeconds, config.replicas(), now));
        budget.reconfigure(current, config.replicas(), now);
        return budget;
    }

    private static ProblemException rateLimited(Rates current, AdmissionResult result) {
        Map<String, String> headers = new HashMap<>(RateLimitHeaders.of(result));
        return ProblemException.tooManyRequests("rate-limited", "this tenant's ingest rate limit is reached ("
                + current.eventsPerSecond() + " events/s and " + current.bytesPerSecond() + " bytes/s in all); nothing of this request "
                + "was accepted: retry it after " + result.retryAfterSeconds() + " s", (int) Math.min(Integer.MAX_VALUE,
                result.retryAfterSeconds()), headers);
    }

    /**
     * Gives back what {@link #admit} took for a request that was then refused (404 for an unknown
     * dataset, 503 when Kafka did not take it): a client is charged only for requests accepted,
     * so its retry after fixing the cause is not refused as over its rate.
     */
    public void giveBack(TenantId tenant, long eventCount, long byteCount) {
        TenantBudget budget = budgets.get(tenant);
        if (budget != null) {
            budget.giveBack(eventCount, byteCount, System.nanoTime());
        }
    }
}
