package dev.pulse.control.keys;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code last_used_at} of API keys without a write per request: each successful authentication
 * records (tenant, key id, time) in memory, and {@link #flush()} writes them with one UPDATE per
 * tenant. The service calls flush every few seconds and once more on shutdown, so the column lags
 * use by at most that period (and loses at most that period on a crash).
 */
public final class KeyUsage {
    private record UsedKey(TenantId tenant, String keyId) {
    }

    private final TenantDatabase db;
    private final ConcurrentHashMap<UsedKey, Instant> pending = new ConcurrentHashMap<>();

    public KeyUsage(TenantDatabase db) {
        this.db = db;
    }

    public void record(TenantId tenant, String keyId, Instant at) {
        pending.merge(new UsedKey(tenant, keyId), at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Writes what was recorded since the last flush; returns how many keys were updated. */
    public int flush() {
        Map<TenantId, Map<String, Instant>> byTenant = new HashMap<>();
        Map<UsedKey, Instant> taken = new HashMap<>();
        for (Map.Entry<UsedKey, Instant> e : pending.entrySet()) {
            taken.put(e.getKey(), e.getValue());
            byTenant.computeIfAbsent(e.getKey().tenant(), t -> new HashMap<>()).put(e.getKey().keyId(), e.getValue());
        }
        int updated = 0;
        for (Map.Entry<TenantId, Map<String, Instant>> tenant : byTenant.entrySet()) {
            List<String> ids = new ArrayList<>(tenant.getValue().keySet());
            String[] times = ids.stream().map(id -> tenant.getValue().get(id).toString()).toArray(String[]::new);
            updated += db.inTenant(tenant.getKey(), tx -> tx.update("""
                    UPDATE pulse.api_keys k SET last_used_at = GREATEST(k.last_used_at, u.at)
                      FROM unnest(?::text[], ?::text[]::timestamptz[]) AS u(key_id, at)
                     WHERE k.key_id = u.key_id""", ids.toArray(String[]::new), times));
            // Remove only what was written: a newer use recorded meanwhile stays for the next flush.
            for (String id : ids) {
                UsedKey key = new UsedKey(tenant.getKey(), id);
                pending.remove(key, taken.get(key));
            }
        }
        return updated;
    }
}
