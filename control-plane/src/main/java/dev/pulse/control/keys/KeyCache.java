package dev.pulse.control.keys;

import dev.pulse.control.keys.ApiKeyStore.AuthenticatedKey;
import dev.pulse.control.keys.ApiKeyStore.LiveKey;
import dev.pulse.schemas.naming.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authentication without a database round trip per request: a live key read from the database
 * is reused for at most {@link #TTL}, then read again. So a key that is revoked, rotated out
 * (revoked or its expiry brought forward) or whose tenant is suspended is refused at most
 * {@code TTL} after that change commits, on every replica, with no signal between them; an
 * expiry is checked against the clock at every request, so an expired key is refused at once.
 *
 * <p>Why a short time to live and not PostgreSQL's LISTEN/NOTIFY: it needs no listening
 * connection per replica to keep alive and re-subscribe, and a lost notification cannot keep a
 * revoked key alive; it costs each busy key one lookup per {@code TTL} (two per second), which
 * is nothing beside the requests it saves.
 *
 * <p>Made by {@link ApiKeyStore#cache()}, which drops a key it revokes or rotates at once, and
 * the API drops a tenant's keys when it suspends or resumes the tenant: the replica that makes a
 * change applies it from its next request.
 *
 * <p>Only live keys are kept: an unknown id or a revoked key is looked up every time (and a key
 * created a moment ago works at once). The secret is compared with the stored hash at every
 * request, so a wrong secret never rides on a cached entry.
 */
public final class KeyCache {
    /** How long a key read from the database is trusted: the bound on refusing a revoked key. */
    public static final Duration TTL = Duration.ofMillis(500);
    /** Beyond this many cached keys, entries older than the TTL are dropped when one is added. */
    private static final int SWEEP_ABOVE = 10_000;

    private record Cached(LiveKey key, long readAtNanos) {
    }

    private final ApiKeyStore store;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Cached> byKeyId = new ConcurrentHashMap<>();

    KeyCache(ApiKeyStore store) {
        this(store, TTL);
    }

    KeyCache(ApiKeyStore store, Duration ttl) {
        this.store = store;
        this.ttlNanos = ttl.toNanos();
    }

    /** Like {@link ApiKeyStore#authenticate}, from memory while the key's entry is younger than the TTL. */
    public Optional<AuthenticatedKey> authenticate(String token) {
        Optional<ApiKeys.PresentedKey> presented = ApiKeys.parse(token);
        if (presented.isEmpty()) {
            return Optional.empty();
        }
        String keyId = presented.get().keyId();
        long now = System.nanoTime();
        Cached cached = byKeyId.get(keyId);
        if (cached == null || now - cached.readAtNanos() >= ttlNanos) {
            // Stamped before the read: the entry is never trusted past TTL after the state it saw.
            Optional<LiveKey> live = store.findLive(keyId);
            if (live.isEmpty()) {
                byKeyId.remove(keyId);
                return Optional.empty();
            }
            cached = new Cached(live.get(), now);
            byKeyId.put(keyId, cached);
            sweep(now);
        }
        return store.accept(presented.get(), cached.key(), Instant.now());
    }

    /** Drops the key's entry: its next authentication reads the database. */
    void forget(String keyId) {
        byKeyId.remove(keyId);
    }

    /** Drops every entry of the tenant's keys (its status changed): their next authentication reads the database. */
    public void forgetTenant(TenantId tenant) {
        byKeyId.values().removeIf(c -> c.key().tenant().equals(tenant));
    }

    private void sweep(long now) {
        if (byKeyId.size() > SWEEP_ABOVE) {
            byKeyId.values().removeIf(c -> now - c.readAtNanos() >= ttlNanos);
        }
    }
}
