package dev.pulse.schemas.metrics;

import dev.pulse.schemas.naming.TenantId;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code tenant} label of a per-tenant metric, with a cap on how many values it takes: the
 * first {@code cap} tenants a process sees are labelled with their id, every later one is counted
 * under {@link #OTHER}. The series a process exposes per metric are thus at most {@code cap + 1},
 * and a labelled tenant keeps its label for the life of the process, so its counters never move
 * from one series to another (a top-N by volume would relabel tenants as volumes change, and a
 * counter that changes series reads as a reset and a jump). The id, not the slug: it is what
 * every topic and namespace is named by, and it never changes ({@code pulse tenant list} maps
 * it to the slug).
 */
public final class TenantLabels {
    /** The label value of every tenant beyond the cap. */
    public static final String OTHER = "other";

    private final int cap;
    private final Set<TenantId> labelled = ConcurrentHashMap.newKeySet();

    public TenantLabels(int cap) {
        this.cap = cap;
    }

    /** The tenant's label value: its id while the cap allows (or once it was given one), else {@link #OTHER}. */
    public String of(TenantId tenant) {
        if (labelled.contains(tenant)) {
            return tenant.toString();
        }
        synchronized (this) {
            if (labelled.size() < cap) {
                labelled.add(tenant);
                return tenant.toString();
            }
        }
        return labelled.contains(tenant) ? tenant.toString() : OTHER;
    }

    public int cap() {
        return cap;
    }
}
