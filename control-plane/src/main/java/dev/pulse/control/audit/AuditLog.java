package dev.pulse.control.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The append-only audit log of control-plane changes: who ({@code operator}, {@code operator:<name>}
 * or {@code key:<key id>}), what (an action such as {@code tenant.suspend}), when, on which tenant,
 * with a small JSON detail. Entries are appended through {@code pulse.record_audit()} inside a
 * transaction bound to the tenant they are about; nobody, the owner included, can update or
 * delete them. Entries are numbered per tenant (1, 2, 3, ... without gaps), never from a counter
 * that other tenants advance. Operators read them through {@link dev.pulse.control.operator.OperatorDatabase#auditLog}.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The nil id: no tenant has it (tenant ids are random v4 UUIDs), so a transaction bound to it sees no tenant rows. */
    static final TenantId NO_TENANT = new TenantId(new UUID(0, 0));

    private final TenantDatabase db;

    public AuditLog(TenantDatabase db) {
        this.db = db;
    }

    /** One entry as the operator reads it: the {@code seq}-th entry about {@code tenant} (null: about no tenant). */
    public record AuditEntry(TenantId tenant, long seq, Instant at, String actor, String action, JsonNode detail) {
    }

    /** Appends an entry about {@code tenant} (null: about no tenant); returns its number within that tenant's log. */
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

    /**
     * Appends an entry about the transaction's tenant, inside that transaction (atomic with the
     * change); returns its number within the tenant's log.
     */
    public static long append(TenantTransaction tx, String actor, String action, String detailJson) throws SQLException {
        TenantId about = NO_TENANT.equals(tx.tenant()) ? null : tx.tenant();
        return tx.queryOptional("SELECT pulse.record_audit(?, ?, ?, ?)", rs -> rs.getLong(1),
                actor, action, about, new TenantTransaction.Json(detailJson)).orElseThrow();
    }
}
