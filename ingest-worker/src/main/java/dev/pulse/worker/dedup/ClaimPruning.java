package dev.pulse.worker.dedup;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deletes a tenant's claims older than the window, one bounded chunk at a time, inside the claim's
 * transaction: at most once per {@link #INTERVAL} per tenant, or at the tenant's next batch when
 * the last chunk was full, so pruning costs at most one chunk per batch and keeps up with any rate.
 */
final class ClaimPruning {
    static final int CHUNK = 10_000;
    static final Duration INTERVAL = Duration.ofMinutes(1);

    private final Duration window;
    private final Map<TenantId, Long> nextDue = new ConcurrentHashMap<>();

    ClaimPruning(Duration window) {
        this.window = window;
    }

    /** Prunes one chunk of the transaction's tenant when due; the number of claims deleted. */
    int pruneIfDue(TenantTransaction tx, long nowNanos) throws SQLException {
        Long due = nextDue.get(tx.tenant());
        if (due != null && nowNanos - due < 0) {
            return 0;
        }
        // Two tables of one tenant commit at once (TableCommits): one of them prunes, the other
        // would only wait on the same rows' locks. The winner moves the due time first.
        long reserved = nowNanos + INTERVAL.toNanos();
        boolean won = due == null ? nextDue.putIfAbsent(tx.tenant(), reserved) == null : nextDue.replace(tx.tenant(), due, reserved);
        if (!won) {
            return 0;
        }
        int deleted = prune(tx, window, CHUNK);
        nextDue.put(tx.tenant(), deleted == CHUNK ? nowNanos : nowNanos + INTERVAL.toNanos());
        return deleted;
    }

    /** Deletes up to {@code limit} of the tenant's claims older than {@code window}. */
    static int prune(TenantTransaction tx, Duration window, int limit) throws SQLException {
        return tx.update("""
                DELETE FROM pulse.event_ids WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM pulse.event_ids
                     WHERE tenant_id = ? AND first_seen < now() - ? * interval '1 millisecond' LIMIT ?))""",
                tx.tenant(), window.toMillis(), limit);
    }
}
