package dev.pulse.api.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.naming.TenantId;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Expired keys are pruned by the tenant's next request, a bounded chunk at a time, and only the tenant's own. */
class IdempotencyStoreIT {
    @Test
    void expiredKeysArePrunedInChunksAndOnlyTheBoundTenants() {
        TestStack stack = TestStack.shared();
        TenantId tenant = stack.newTenant().id();
        TenantId other = stack.newTenant().id();
        IdempotencyStore store = new IdempotencyStore(stack.db(), Duration.ofDays(1), Duration.ofMinutes(1));
        for (TenantId t : List.of(tenant, other)) {
            stack.db().inTenant(t, tx -> tx.update("""
                    INSERT INTO pulse.idempotency_keys (tenant_id, idempotency_key, request_hash, status, response, created_at)
                    SELECT ?, 'old-' || n, '\\x01', 202, '{}', now() - interval '2 days' FROM generate_series(1, ?) AS n""",
                    t, IdempotencyStore.PRUNE_CHUNK + 5));
        }
        store.begin(tenant, new IdempotencyKey("fresh"), new byte[] {1});
        assertThat(count(stack, tenant)).isEqualTo(5 + 1);
        // A full chunk makes the next request prune again at once.
        store.begin(tenant, new IdempotencyKey("fresh-2"), new byte[] {1});
        assertThat(count(stack, tenant)).isEqualTo(2);
        assertThat(count(stack, other)).isEqualTo(IdempotencyStore.PRUNE_CHUNK + 5);
    }

    static long count(TestStack stack, TenantId tenant) {
        return stack.db().inTenant(tenant, tx -> tx.queryOptional("SELECT count(*) FROM pulse.idempotency_keys", rs -> rs.getLong(1)).orElseThrow());
    }
}
