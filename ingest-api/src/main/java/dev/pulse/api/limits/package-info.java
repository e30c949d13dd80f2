/**
 * Fair share at the edge: per-tenant rate limits on {@code POST /v1/events}.
 *
 * <p>Each tenant has two token buckets, events per second and bytes per second (the events as
 * produced to Kafka), each holding at most the rate × {@code PULSE_RATE_LIMIT_BURST}. A request is
 * admitted whole or refused whole: when either bucket lacks what the request needs, nothing is
 * taken and the answer is 429 with {@code Retry-After} (when both buckets will hold enough) and the
 * IETF {@code RateLimit} / {@code RateLimit-Policy} fields ({@link RateLimitHeaders}); a request that
 * needs more than a full bucket can ever hold is 413. Every 202 carries the same two fields.
 *
 * <p><b>Rates.</b> By tier ({@code PULSE_RATE_LIMIT_EVENTS*}, {@code PULSE_RATE_LIMIT_BYTES*}), or the
 * tenant's own set by an operator ({@code control.limits}, V11). {@link TenantRates} keeps each
 * tenant's for {@code PULSE_RATE_LIMIT_REFRESH} and reads it again (one tenant-bound query) only
 * after that: in steady state neither an admitted request nor a 429 costs a database round trip for
 * its limit, and an operator's change reaches every replica within the refresh interval.
 *
 * <p><b>Two or more replicas.</b> Each replica enforces 1/N of every rate and burst, N =
 * {@code PULSE_API_REPLICAS}. No coordination on the request path, and the tenant can never get more
 * than its limit in total; the cost is that a client pinned to one replica gets 1/N of it (behind a
 * load balancer that spreads a tenant's requests, it gets all of it). The fields a response carries
 * describe the answering replica's share. Chosen over a shared counter (a round trip per request)
 * and over leased allocations in PostgreSQL (a moving part that a fixed deployment does not need);
 * a deployment that scales replicas changes N with them.
 */
package dev.pulse.api.limits;
