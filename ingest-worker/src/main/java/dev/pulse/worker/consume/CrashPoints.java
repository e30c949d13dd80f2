package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;
import java.util.Set;

/**
 * A hook the loop calls at each {@link CrashPoint}. Production uses {@link #NONE}; the crash tests
 * throw an {@link Error} from it, which nothing in the worker catches, to kill the loop thread at
 * the worst moment as a killed process would die.
 */
@FunctionalInterface
public interface CrashPoints {
    CrashPoints NONE = (point, tenants) -> {
    };

    /** {@code tenants}: the tenants whose work is at this point (the table's, or every tenant of the batch). */
    void reached(CrashPoint point, Set<TenantId> tenants);
}
