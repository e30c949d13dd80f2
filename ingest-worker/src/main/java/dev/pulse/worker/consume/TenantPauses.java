package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tenants whose partitions wait because one of their tables keeps failing, and when each is
 * tried again: after {@code first}, doubling with every failure in a row, at most {@code max}.
 * A tenant leaves this list with the first batch of its records that goes through.
 */
final class TenantPauses {
    /** One paused tenant: since when it has been failing, how many times in a row, and the next try. */
    record Pause(Instant since, int failures, Instant retryAt, boolean retrying) {
    }

    private final Duration first;
    private final Duration max;
    private final Map<TenantId, Pause> paused = new HashMap<>();

    TenantPauses(Duration first, Duration max) {
        this.first = first;
        this.max = max;
    }

    /** Records one more failure of the tenant and returns its pause, with the next try backed off. */
    Pause failed(TableFailure failure, Instant now) {
        Pause previous = paused.get(failure.tenant());
        int failures = previous == null ? 1 : previous.failures() + 1;
        Duration backoff = first.multipliedBy(1L << Math.min(failures - 1, 30));
        if (backoff.compareTo(max) > 0 || backoff.isNegative()) {
            backoff = max;
        }
        Pause pause = new Pause(previous == null ? now : previous.since(), failures, now.plus(backoff), false);
        paused.put(failure.tenant(), pause);
        return pause;
    }

    /** True while the tenant waits for its next try: its records must not be processed yet. */
    boolean waiting(TenantId tenant, Instant now) {
        Pause pause = paused.get(tenant);
        return pause != null && !pause.retrying() && now.isBefore(pause.retryAt());
    }

    /** Tenants whose next try is due; each is marked as retrying, so it is handed out once per try. */
    List<TenantId> dueForRetry(Instant now) {
        List<TenantId> due = paused.entrySet().stream()
                .filter(e -> !e.getValue().retrying() && !now.isBefore(e.getValue().retryAt()))
                .map(Map.Entry::getKey).toList();
        due.forEach(t -> paused.computeIfPresent(t, (k, p) -> new Pause(p.since(), p.failures(), p.retryAt(), true)));
        return due;
    }

    /** The tenant's records went through: its pause, if it had one, is over. */
    Optional<Pause> recovered(TenantId tenant) {
        return Optional.ofNullable(paused.remove(tenant));
    }

    boolean isEmpty() {
        return paused.isEmpty();
    }
}
