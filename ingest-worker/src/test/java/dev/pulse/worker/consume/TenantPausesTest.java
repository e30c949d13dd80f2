package dev.pulse.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.schemas.naming.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TenantPausesTest {
    final TenantId tenant = new TenantId(UUID.randomUUID());
    final TenantId other = new TenantId(UUID.randomUUID());
    final Instant t0 = Instant.parse("2026-03-01T10:00:00Z");

    TableFailure failure(TenantId t) {
        return new TableFailure(t, "clicks", new IllegalStateException("metadata gone"));
    }

    @Test
    void theWaitDoublesWithEachFailureInARowUpToTheMaximumAndKeepsTheFirstFailureTime() {
        TenantPauses pauses = new TenantPauses(Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThat(pauses.failed(failure(tenant), t0).retryAt()).isEqualTo(t0.plusSeconds(1));
        assertThat(pauses.failed(failure(tenant), t0).retryAt()).isEqualTo(t0.plusSeconds(2));
        assertThat(pauses.failed(failure(tenant), t0).retryAt()).isEqualTo(t0.plusSeconds(4));
        TenantPauses.Pause capped = pauses.failed(failure(tenant), t0.plusSeconds(10));
        assertThat(capped.retryAt()).isEqualTo(t0.plusSeconds(15));
        assertThat(capped.failures()).isEqualTo(4);
        assertThat(capped.since()).isEqualTo(t0);
        for (int i = 0; i < 100; i++) {
            pauses.failed(failure(tenant), t0);
        }
        assertThat(pauses.failed(failure(tenant), t0).retryAt()).isEqualTo(t0.plusSeconds(5));
    }

    @Test
    void aTenantWaitsUntilItsTryIsDueIsHandedOutOnceAndRecoveringEndsThePause() {
        TenantPauses pauses = new TenantPauses(Duration.ofSeconds(1), Duration.ofSeconds(5));
        pauses.failed(failure(tenant), t0);
        assertThat(pauses.waiting(tenant, t0.plusMillis(999))).isTrue();
        assertThat(pauses.waiting(other, t0)).isFalse();
        assertThat(pauses.dueForRetry(t0.plusMillis(999))).isEmpty();
        assertThat(pauses.dueForRetry(t0.plusSeconds(1))).containsExactly(tenant);
        assertThat(pauses.dueForRetry(t0.plusSeconds(2))).isEmpty();
        assertThat(pauses.waiting(tenant, t0.plusSeconds(1))).isFalse();
        assertThat(pauses.recovered(tenant)).isPresent();
        assertThat(pauses.recovered(tenant)).isEmpty();
        assertThat(pauses.isEmpty()).isTrue();
        // A new failure after recovering starts over at the first wait.
        assertThat(pauses.failed(failure(tenant), t0.plusSeconds(60)).retryAt()).isEqualTo(t0.plusSeconds(61));
    }
}
