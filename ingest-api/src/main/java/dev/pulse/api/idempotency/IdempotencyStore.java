package dev.pulse.api.idempotency;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@code pulse.idempotency_keys}, always under RLS for the caller's tenant. */
final class IdempotencyStore {
    static final int PRUNE_CHUNK = 1_000;
    static final Duration PRUNE_INTERVAL = Duration.ofMinutes(1);

    private final TenantDatabase db;
    private final Duration ttl;
    private final Duration lease;
    private final Map<TenantId, Long> nextPrune = new ConcurrentHashMap<>();

    IdempotencyStore(TenantDatabase db, Duration ttl, Duration lease) {
        this.db = db;
        this.ttl = ttl;
        this.lease = lease;
    }

    /** What the key says about a request. */
    sealed interface Start {
        /** The key is this request's now: process it. */
        record Started() implements Start {
        }

        /** The key's request completed: answer with its response. */
        record Completed(StoredResponse response) implements Start {
        }

        /** The key's request is still being processed. */
        record InFlight() implements Start {
        }

        /** The key was used with another body. */
        record OtherBody() implements Start {
        }
    }

    /**
     * Inserts the key in flight, or takes over an expired key or an abandoned in-flight one with
     * the same body; otherwise tells what the key holds.
     */
    Start begin(TenantId tenant, IdempotencyKey key, byte[] fingerprint) {
        return db.inTenant(tenant, tx -> {
            pruneIfDue(tx);
            int taken = tx.update("""
                    INSERT INTO pulse.idempotency_keys AS k (tenant_id, idempotency_key, request_hash, created_at)
                    VALUES (?, ?, ?, now())
                    ON CONFLICT (tenant_id, idempotency_key) DO UPDATE
                       SET request_hash = excluded.request_hash, status = NULL, response = NULL, created_at = now(), completed_at = NULL
                     WHERE k.created_at < now() - ? * interval '1 millisecond'
                        OR (k.status IS NULL AND k.request_hash = excluded.request_hash
                            AND k.created_at < now() - ? * interval '1 millisecond')""",
                    tenant, key.value(), fingerprint, ttl.toMillis(), lease.toMillis());
            if (taken == 1) {
                return new Start.Started();
            }
            Existing existing = tx.queryOptional("SELECT request_hash, status, response FROM pulse.idempotency_keys WHERE idempotency_key = ?",
                    rs -> new Existing(rs.getBytes(1), (Integer) rs.getObject(2), rs.getString(3)), key.value()).orElseThrow();
            if (!Arrays.equals(existing.fingerprint(), fingerprint)) {
                return new Start.OtherBody();
            }
            return existing.status() == null ? new Start.InFlight() : new Start.Completed(new StoredResponse(existing.status(), existing.body()));
        });
    }

    private record Existing(byte[] fingerprint, Integer status, String body) {
    }

    /** Stores the response of the key's request. */
    void complete(TenantId tenant, IdempotencyKey key, StoredResponse response) {
        db.inTenant(tenant, tx -> tx.update(
                "UPDATE pulse.idempotency_keys SET status = ?, response = ?, completed_at = now() WHERE idempotency_key = ? AND status IS NULL",
                response.status(), response.body(), key.value()));
    }

    /** Forgets the key of a request that failed, so that its retry is processed anew. */
    void release(TenantId tenant, IdempotencyKey key) {
        db.inTenant(tenant, tx -> tx.update("DELETE FROM pulse.idempotency_keys WHERE idempotency_key = ? AND status IS NULL", key.value()));
    }

    /** The stored response, if the key holds one (for tests and operators; never across tenants). */
    Optional<StoredResponse> stored(TenantId tenant, IdempotencyKey key) {
        return db.inTenant(tenant, tx -> tx.queryOptional(
                "SELECT status, response FROM pulse.idempotency_keys WHERE idempotency_key = ? AND status IS NOT NULL",
                rs -> new StoredResponse(rs.getInt(1), rs.getString(2)), key.value()));
    }

    /** Deletes a chunk of the tenant's expired keys, at most once a minute per tenant (or again at once after a full chunk). */
    private void pruneIfDue(TenantTransaction tx) throws SQLException {
        long now = System.nanoTime();
        Long due = nextPrune.get(tx.tenant());
        if (due != null && now - due < 0) {
            return;
        }
        int deleted = tx.update("""
                DELETE FROM pulse.idempotency_keys WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM pulse.idempotency_keys WHERE tenant_id = ? AND created_at < now() - ? * interval '1 millisecond' LIMIT ?))""",
                tx.tenant(), ttl.toMillis(), PRUNE_CHUNK);
        nextPrune.put(tx.tenant(), deleted == PRUNE_CHUNK ? now : now + PRUNE_INTERVAL.toNanos());
    }
}
