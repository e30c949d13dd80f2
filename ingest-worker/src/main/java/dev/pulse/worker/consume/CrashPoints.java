package dev.pulse.worker.consume;

/**
 * A hook the loop calls at each {@link CrashPoint}. Production uses {@link #NONE}; tests throw
 * {@link SimulatedCrash} to kill the loop at the worst moment.
 */
@FunctionalInterface
public interface CrashPoints {
    CrashPoints NONE = (point, tenants) -> {
    };

    /** {@code tenants}: the tenants whose work is at this point (the table's, or every tenant of the batch). */
    void reached(CrashPoint point, java.util.Set<dev.pulse.schemas.naming.TenantId> tenants);
}
