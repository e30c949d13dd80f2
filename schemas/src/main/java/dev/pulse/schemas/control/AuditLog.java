package dev.pulse.schemas.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The append-only audit log of control-plane changes: who ({@code operator}, {@code operator:<name>}
 * or {@code key:<key id>}), what (an action such as {@code tenant.suspend}), when, on which tenant,
 * with a small JSON detail. Entries are appended through {@code pulse.record_audit()} inside a
 * transaction bound to the tenant they are about; nobody, the owner included, can update or
 * delete them.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The nil id: no tenant has it (tenant ids are random v4 UUIDs), so a transaction bound to it sees no tenant rows. */
    static final TenantId NO_TENANT = new TenantId(new UUID(0, 0));

    private final TenantDatabase db;

    public AuditLog(TenantDatabase db) {
        this.db = db;
    }

    /** One entry as the operator reads it. */
    public record AuditEntry(long id, Instant at, String actor, String action, TenantId tenant, JsonNode detail) {
    }

    /** Appends an entry about {@code tenant} (null: about no tenant); returns its id. */
    public long record(String actor, String action, TenantId tenant, Map<String, ?> detail) {
        String detailJson = toJson(detail);
        return db.inTenant(tenant == null ? NO_TENANT : tenant, tx -> append(tx, actor, action, detailJson));
    }

    /** Appends an entry about the transaction's tenant, inside that transaction (atomic with the change). */
    public static long append(TenantTransaction tx, Actor actor, String action, Map<String, ?> detail) throws SQLException {
        return append(tx, actor.name(), action, toJson(detail));
    }

    private static String toJson(Map<String, ?> detail) {
        try {
            return JSON.writeValueAsString(detail == null ? Map.of() : detail);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit detail does not serialize to JSON", e);
        }
    }

    /** Appends an entry about the transaction's tenant, inside that transaction (atomic with the change). */
    public static long append(TenantTransaction tx, String actor, String action, String detailJson) throws SQLException {
        TenantId about = NO_TENANT.equals(tx.tenant()) ? null : tx.tenant();
        return tx.queryOptional("SELECT pulse.record_audit(?, ?, ?, ?)", rs -> rs.getLong(1),
                actor, action, about, new TenantTransaction.Json(detailJson)).orElseThrow();
    }

    /**
     * The newest entries first, for one tenant or (tenant null) for all, at most {@code limit}
     * (1..1000). Through {@code pulse.operator_audit_log}: operator paths only.
     */
    public List<AuditEntry> operatorRead(TenantId tenant, int limit) {
        // The read crosses tenants only through the SECURITY DEFINER function; the transaction
        // is bound to the asked tenant, or to the nil id (which no tenant has) for all of them.
        return db.inTenant(tenant == null ? NO_TENANT : tenant, tx -> tx.query(
                "SELECT id, at, actor, action, tenant_id, detail::text FROM pulse.operator_audit_log(?, ?)",
                rs -> {
                    UUID t = rs.getObject(5, UUID.class);
                    JsonNode detail;
                    try {
                        detail = JSON.readTree(rs.getString(6));
                    } catch (JsonProcessingException e) {
                        throw new SQLException("audit detail is not JSON", e);
                    }
                    return new AuditEntry(rs.getLong(1), TenantTransaction.instant(rs, "at"), rs.getString(3), rs.getString(4),
                            t == null ? null : new TenantId(t), detail);
                }, tenant == null ? null : tenant.value(), limit));
    }
}
