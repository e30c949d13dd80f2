package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;

/** A table that failed for a reason that is not one record's: the tenant's partitions are paused and retried. */
record TableFailure(TenantId tenant, String dataset, RuntimeException cause) {
    String reason() {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
