package dev.pulse.api.events;

import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which of a request's datasets exist for its tenant, without a database transaction per
 * request: a dataset seen to exist is trusted for {@link #TTL}, then looked up again (under RLS,
 * as the tenant). A dataset not found is looked up at every request, so one created a moment ago
 * is accepted at once. The check is the edge's courtesy (a 404 instead of dead letters); the
 * worker resolves every record's dataset again, so an entry outliving its dataset by the TTL
 * costs dead letters with the reason, never a wrong row.
 */
final class KnownDatasets {
    static final Duration TTL = Duration.ofSeconds(1);
    /** Beyond this many entries, those older than the TTL are dropped when one is added. */
    private static final int SWEEP_ABOVE = 100_000;

    private record Dataset(TenantId tenant, String slug) {
    }

    private final TenantDatabase db;
    private final long ttlNanos;
    private final ConcurrentHashMap<Dataset, Long> seenAtNanos = new ConcurrentHashMap<>();

    KnownDatasets(TenantDatabase db) {
        this.db = db;
        this.ttlNanos = TTL.toNanos();
    }

    /** The slugs among {@code slugs} that are not datasets of {@code tenant}: one tenant-bound transaction when any entry is stale. */
    List<String> missing(TenantId tenant, Collection<String> slugs) {
        long now = System.nanoTime();
        List<String> toLookUp = new ArrayList<>();
        for (String slug : slugs) {
            Long seen = seenAtNanos.get(new Dataset(tenant, slug));
            if (seen == null || now - seen >= ttlNanos) {
                toLookUp.add(slug);
            }
        }
        if (toLookUp.isEmpty()) {
            return List.of();
        }
        List<String> missing = db.inTenant(tenant, tx -> {
            List<String> unknown = new ArrayList<>();
            for (String slug : toLookUp) {
                if (DatasetDirectory.find(tx, slug).isEmpty()) {
                    unknown.add(slug);
                }
            }
            return unknown;
        });
        for (String slug : toLookUp) {
            Dataset key = new Dataset(tenant, slug);
            if (missing.contains(slug)) {
                seenAtNanos.remove(key);
            } else {
                seenAtNanos.put(key, now);
            }
        }
        if (seenAtNanos.size() > SWEEP_ABOVE) {
            seenAtNanos.values().removeIf(seen -> now - seen >= ttlNanos);
        }
        return missing;
    }
}
