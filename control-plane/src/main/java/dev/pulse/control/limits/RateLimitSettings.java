package dev.pulse.control.limits;

import dev.pulse.control.audit.Actor;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Reads and changes a tenant's own ingest rates, always in a transaction bound to that tenant. */
public final class RateLimitSettings {
    /** What the edge needs to compute a tenant's rates: its tier and its own rates. */
    public record TenantRates(String tier, RateLimitOverride override) {
    }

    /** The tenant's own rates after a change, and whether anything changed (a repeat is no change, and not audited). */
    public record ChangeResult(TenantRecord tenant, RateLimitOverride override, boolean changed) {
    }

    private final TenantDatabase db;
    private final Tenants tenants;

    public RateLimitSettings(TenantDatabase db, Tenants tenants) {
        this.db = db;
        this.tenants = tenants;
    }

    /** The tenant's tier and own rates; empty when the bound tenant has no row (it does not exist). */
    public Optional<TenantRates> read(TenantId tenant) {
        return db.inTenant(tenant, RateLimitSettings::read);
    }

    /** As {@link #read(TenantId)}, inside a transaction bound to the tenant. */
    public static Optional<TenantRates> read(TenantTransaction tx) throws SQLException {
        return tx.queryOptional("""
                SELECT tier, ingest_events_per_second, ingest_bytes_per_second FROM pulse.tenants WHERE tenant_id = ?""",
                rs -> new TenantRates(rs.getString(1),
                        new RateLimitOverride((Long) rs.getObject(2), (Long) rs.getObject(3))), tx.tenant());
    }

    /** Sets the tenant's own rates (null members: its tier's default); the audit entry commits with the change. */
    public ChangeResult set(String slug, RateLimitOverride override, Actor actor) {
        TenantRecord tenant = tenants.requireBySlug(slug);
        return db.inTenant(tenant.id(), tx -> {
            RateLimitOverride before = read(tx).map(TenantRates::override).orElse(RateLimitOverride.NONE);
            if (before.equals(override)) {
                return new ChangeResult(tenant, before, false);
            }
            tx.update("UPDATE pulse.tenants SET ingest_events_per_second = ?, ingest_bytes_per_second = ?, updated_at = now() WHERE tenant_id = ?",
                    override.eventsPerSecond(), override.bytesPerSecond(), tenant.id());
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("slug", slug);
            detail.put("events_per_second", override.eventsPerSecond());
            detail.put("bytes_per_second", override.bytesPerSecond());
            AuditLog.append(tx, actor, "tenant.rate-limits", detail);
            return new ChangeResult(tenant, override, true);
        });
    }
}
