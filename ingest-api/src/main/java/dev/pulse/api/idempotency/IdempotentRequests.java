package dev.pulse.api.idempotency;

import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a request under its {@code Idempotency-Key}: once, then replayed (see the package documentation). */
public final class IdempotentRequests {
    private static final Logger LOG = LoggerFactory.getLogger(IdempotentRequests.class);
    /** A request may still be producing this long after its produce timeout started; past it, its key is abandoned. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(30);

    private final IdempotencyStore store;

    /** {@code ttl}: how long keys live; {@code produceTimeout}: the longest a request waits for the broker. */
    public IdempotentRequests(TenantDatabase db, Duration ttl, Duration produceTimeout) {
        this.store = new IdempotencyStore(db, ttl, produceTimeout.plus(LEASE_MARGIN));
    }

    /** What to answer: the response, and whether it is a replay of an earlier one. */
    public record Outcome(StoredResponse response, boolean replayed) {
    }

    /**
     * Processes the request with {@code work} unless the key already has a response (returned
     * as a replay); 422 for the key with another body, 409 while its request is in flight.
     */
    public Outcome run(TenantId tenant, IdempotencyKey key, byte[] fingerprint, Supplier<StoredResponse> work) {
        switch (store.begin(tenant, key, fingerprint)) {
            case IdempotencyStore.Start.Completed completed -> {
                return new Outcome(completed.response(), true);
            }
            case IdempotencyStore.Start.OtherBody other -> throw new ProblemException(422, "idempotency-key-reused",
                    "this Idempotency-Key was used with a different request body; use a new key for a new request");
            case IdempotencyStore.Start.InFlight inFlight -> throw ProblemException.conflict("idempotency-key-in-use",
                    "a request with this Idempotency-Key is still being processed; retry after it completes");
            case IdempotencyStore.Start.Started started -> {
                // Fall through to processing below.
            }
        }
        StoredResponse response;
        try {
            response = work.get();
        } catch (RuntimeException e) {
            try {
                store.release(tenant, key);
            } catch (RuntimeException releaseFailed) {
                e.addSuppressed(releaseFailed);
            }
            throw e;
        }
        try {
            store.complete(tenant, key, response);
        } catch (RuntimeException e) {
            // The events are durable in Kafka: answer. A retry gets 409 until the lease ends, then
            // produces again with the same ids, which the worker's deduplication drops.
            LOG.warn("storing the response of an idempotency key of tenant {} failed; answering anyway: {}", tenant, e.toString());
        }
        return new Outcome(response, false);
    }
}
