package dev.pulse.control.tenants;

import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.naming.TenantId;
import java.time.Instant;

public record TenantRecord(TenantId id, String slug, String name, String tier, TenantStatus status, Instant createdAt) {
    public boolean isActive() {
        return status == TenantStatus.ACTIVE;
    }

    public boolean isSuspended() {
        return status == TenantStatus.SUSPENDED;
    }
}
