package dev.pulse.worker.consume;

/**
 * Which tenants' raw topics one worker group reads ({@code PULSE_WORKER_TENANTS}): seed 001's
 * bridge model as an option. {@link #ALL} is the pool model (one group for everyone);
 * {@link #SHARED} and {@link #ENTERPRISE} split it in two, so enterprise tenants get a worker group
 * of their own, chosen by tier, with no change per tenant.
 */
public enum WorkerTenants {
    /** Every tenant (a pattern subscription, as before). */
    ALL("all"),
    /** Every tenant but the enterprise tier's. */
    SHARED("shared"),
    /** The enterprise tier's tenants only: a dedicated group. */
    ENTERPRISE("enterprise");

    private final String wireName;

    WorkerTenants(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The value of the configuration key; the key's own check admits only the three names. */
    public static WorkerTenants fromWireName(String text) {
        for (WorkerTenants t : values()) {
            if (t.wireName.equals(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown worker tenants '" + text + "'");
    }

    /** Whether a tenant of {@code tier} belongs to this group. */
    boolean selects(String tier) {
        return switch (this) {
            case ALL -> true;
            case SHARED -> !"enterprise".equals(tier);
            case ENTERPRISE -> "enterprise".equals(tier);
        };
    }
}
