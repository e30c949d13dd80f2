package dev.pulse.control.tenants;

import dev.pulse.schemas.naming.TenantId;
import java.time.Instant;

public record TenantRecord(TenantId id, String slug, String name, String tier, String status, Instant createdAt) {
    public boolean isActive() {
        return "active".equals(status);
    }

    public boolean isSuspended() {
        return "suspended".equals(status);
    }
}
