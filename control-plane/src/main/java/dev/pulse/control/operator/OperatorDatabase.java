package dev.pulse.control.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.DatabaseException;
import dev.pulse.schemas.tenancy.RuntimeRoleGuard;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The operator control plane's own database access, as {@code pulse_operator}
 * ({@code PULSE_OPERATOR_DATABASE_URL}): the two reads that cross tenants, the tenant directory
 * and the audit log. That role may execute exactly these SECURITY DEFINER functions and
 * holds no table privilege; the runtime role {@code pulse_app}, which serves tenant traffic, may
 * execute neither. Everything else an operator does (creating a tenant, a key, ...) runs as
 * {@code pulse_app} in a transaction bound to the tenant concerned, like the tenant's own
 * requests. Only ingest-api's {@code /admin/v1} and {@code pulse doctor} open one of these.
 */
public final class OperatorDatabase implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HikariDataSource pool;

    private OperatorDatabase(HikariDataSource pool) {
        this.pool = pool;
    }

    /** A small pool for the operator role. The URL carries user and password as parameters. */
    public static OperatorDatabase connect(String jdbcUrl, int poolSize, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setPoolName(poolName);
        config.setReadOnly(true);
        config.setConnectionTimeout(TenantDatabase.CONNECTION_TIMEOUT_MS);
        config.setValidationTimeout(TenantDatabase.VALIDATION_TIMEOUT_MS);
        config.setInitializationFailTimeout(10_000);
        return new OperatorDatabase(new HikariDataSource(config));
    }

    /** Refuses to go on when the operator role is not the narrow role it must be (see {@link RuntimeRoleGuard#checkOperator}). */
    public void requireSafeOperatorRole() {
        RuntimeRoleGuard.checkOperator(pool);
    }

    /** One entry of the tenant directory. */
    public record DirectoryEntry(TenantId tenant, String slug) {
    }

    /** Every tenant's id and slug, by slug, through {@code pulse.operator_tenant_directory()}. */
    public List<DirectoryEntry> tenantDirectory() {
        try (Connection connection = pool.getConnection();
                PreparedStatement ps = connection.prepareStatement("SELECT tenant_id, slug FROM pulse.operator_tenant_directory()");
                ResultSet rs = ps.executeQuery()) {
            List<DirectoryEntry> entries = new ArrayList<>();
            while (rs.next()) {
                entries.add(new DirectoryEntry(new TenantId(rs.getObject(1, UUID.class)), rs.getString(2)));
            }
            return entries;
        } catch (SQLException e) {
            throw new DatabaseException("tenant directory listing failed", e);
        }
    }

    /**
     * Audit entries through {@code pulse.operator_audit_log}: one tenant's newest first by their
     * number, or (tenant null) every tenant's newest first by time; at most {@code limit} (1..1000).
     */
    public List<AuditLog.AuditEntry> auditLog(TenantId tenant, int limit) {
        try (Connection connection = pool.getConnection();
                PreparedStatement ps = connection.prepareStatement(
                        "SELECT tenant_id, seq, at, actor, action, detail::text FROM pulse.operator_audit_log(?, ?)")) {
            ps.setObject(1, tenant == null ? null : tenant.value());
            ps.setInt(2, limit);
            return entries(ps);
        } catch (SQLException e) {
            throw new DatabaseException("audit log read failed", e);
        }
    }

    /**
     * One page of one tenant's audit entries, oldest first, those numbered after {@code afterSeq}
     * (0 for the first page), at most {@code limit} (1..10000), through
     * {@code pulse.operator_audit_export}: a tenant export streams the whole log page by page.
     */
    public List<AuditLog.AuditEntry> auditEntriesAfter(TenantId tenant, long afterSeq, int limit) {
        try (Connection connection = pool.getConnection();
                PreparedStatement ps = connection.prepareStatement(
                        "SELECT tenant_id, seq, at, actor, action, detail::text FROM pulse.operator_audit_export(?, ?, ?)")) {
            ps.setObject(1, tenant.value());
            ps.setLong(2, afterSeq);
            ps.setInt(3, limit);
            return entries(ps);
        } catch (SQLException e) {
            throw new DatabaseException("audit log export read failed", e);
        }
    }

    private static List<AuditLog.AuditEntry> entries(PreparedStatement ps) throws SQLException {
        List<AuditLog.AuditEntry> entries = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                UUID about = rs.getObject(1, UUID.class);
                JsonNode detail;
                try {
                    detail = JSON.readTree(rs.getString(6));
                } catch (JsonProcessingException e) {
                    throw new SQLException("audit detail is not JSON", e);
                }
                entries.add(new AuditLog.AuditEntry(about == null ? null : new TenantId(about), rs.getLong(2),
                        TenantTransaction.instant(rs, "at"), rs.getString(4), rs.getString(5), detail));
            }
        }
        return entries;
    }

    @Override
    public void close() {
        pool.close();
    }
}
