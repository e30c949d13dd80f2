package dev.pulse.control.lifecycle.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.DatabaseException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The job's state and the directory-side steps, as {@code pulse_operator} through the V14 operator
 * functions (the role holds no table): the job row (step reached, what each step removed), erasing a
 * deleted tenant's audit entries, the tombstone, and what the directory still holds of a tenant.
 */
final class DeletionJournal {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String operatorUrl;

    DeletionJournal(String operatorUrl) {
        this.operatorUrl = operatorUrl;
    }

    /** An unfinished deletion. */
    record Job(TenantId tenant, String slug, String actor, DeletionStep step, ObjectNode removed, Instant startedAt) {
    }

    Optional<Job> job(String slug) {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("SELECT tenant_id, slug, actor, step, removed::text, started_at FROM pulse.operator_deletion_job(?)")) {
            ps.setString(1, slug);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Job(new TenantId(rs.getObject(1, UUID.class)), rs.getString(2), rs.getString(3),
                        DeletionStep.fromWireName(rs.getString(4)), (ObjectNode) JSON.readTree(rs.getString(5)),
                        rs.getTimestamp(6).toInstant()));
            }
        } catch (SQLException | IOException e) {
            throw new DatabaseException("reading the deletion job of '" + slug + "' failed", e instanceof SQLException s ? s : new SQLException(e));
        }
    }

    /** Records the step reached, merging {@code removed} into what earlier steps recorded. */
    void record(TenantId tenant, String slug, String actor, DeletionStep step, JsonNode removed) {
        call("SELECT pulse.operator_deletion_record(?, ?, ?, ?, ?::jsonb)", ps -> {
            ps.setObject(1, tenant.value());
            ps.setString(2, slug);
            ps.setString(3, actor);
            ps.setString(4, step.wireName());
            ps.setString(5, removed == null ? "{}" : removed.toString());
        });
    }

    long eraseAudit(TenantId tenant) {
        return call("SELECT pulse.operator_erase_tenant_audit(?)", ps -> ps.setObject(1, tenant.value()));
    }

    /** Writes the tombstone and closes the job; false when no job was open. */
    boolean finish(TenantId tenant, String actor, String certificateSha256) {
        return call("SELECT CASE WHEN pulse.operator_finish_deletion(?, ?, ?) THEN 1 ELSE 0 END", ps -> {
            ps.setObject(1, tenant.value());
            ps.setString(2, actor);
            ps.setString(3, certificateSha256);
        }) == 1;
    }

    /** What the directory schema still holds of the tenant, per table. */
    Map<String, Long> traces(TenantId tenant) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT store, remaining FROM pulse.operator_tenant_traces(?)")) {
            ps.setObject(1, tenant.value());
            Map<String, Long> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new DatabaseException("reading the directory's traces of tenant " + tenant + " failed", e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private long call(String sql, Binder binder) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new DatabaseException("tenant deletion, as the operator role: " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(operatorUrl);
    }
}
