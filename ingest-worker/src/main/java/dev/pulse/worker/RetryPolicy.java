package dev.pulse.worker;

import dev.pulse.schemas.tenancy.DatabaseException;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries only what is retryable, a bounded number of times with doubling backoff; anything else
 * is rethrown at once.
 */
public record RetryPolicy(int maxRetries, Duration firstBackoff) {
    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);

    /** Database work: retried on connection loss, serialization failure, deadlock, admin shutdown. */
    public <T> T database(String what, Supplier<T> work) {
        return call(what, work, e -> e instanceof DatabaseException db && db.isRetryable());
    }

    public <T> T call(String what, Supplier<T> work, Predicate<RuntimeException> retryable) {
        Duration backoff = firstBackoff;
        for (int attempt = 0; ; attempt++) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (attempt >= maxRetries || !retryable.test(e)) {
                    throw e;
                }
                LOG.warn("{} failed (attempt {} of {}), retrying in {} ms: {}", what, attempt + 1, maxRetries + 1, backoff.toMillis(), e.getMessage());
                pause(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    private static void pause(Duration backoff) {
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerException("interrupted while waiting to retry", e);
        }
    }
}
