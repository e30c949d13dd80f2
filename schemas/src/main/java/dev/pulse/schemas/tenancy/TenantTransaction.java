package dev.pulse.schemas.tenancy;

import dev.pulse.schemas.naming.TenantId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A transaction bound to one tenant. It exists only inside {@link TenantDatabase#inTenant}; the
 * connection it wraps is never handed out, so no code can run a statement outside the binding.
 *
 * <p>Parameters bind by type: String, UUID, TenantId, Integer, Long, Boolean, Instant,
 * String[] (as text[]), byte[], and {@link Json} for jsonb.
 */
public final class TenantTransaction {
    private final Connection connection;
    private final TenantId tenant;

    TenantTransaction(Connection connection, TenantId tenant) {
        this.connection = connection;
        this.tenant = tenant;
    }

    /** The tenant this transaction is bound to. */
    public TenantId tenant() {
        return tenant;
    }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(sql, params); ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        }
    }

    public <T> Optional<T> queryOptional(String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        List<T> rows = query(sql, mapper, params);
        if (rows.size() > 1) {
            throw new SQLException("expected at most one row, got " + rows.size() + " for: " + sql);
        }
        return rows.stream().findFirst();
    }

    public int update(String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(sql, params)) {
            return ps.executeUpdate();
        }
    }

    private PreparedStatement prepare(String sql, Object... params) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                bind(ps, i + 1, params[i]);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    private void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        switch (value) {
            case null -> ps.setObject(index, null);
            case TenantId t -> ps.setObject(index, t.value());
            case UUID u -> ps.setObject(index, u);
            case Instant i -> ps.setTimestamp(index, Timestamp.from(i));
            case String[] a -> {
                Array array = connection.createArrayOf("text", a);
                ps.setArray(index, array);
            }
            case Json j -> ps.setObject(index, j.pgObject());
            default -> ps.setObject(index, value);
        }
    }

    /** A jsonb parameter. */
    public record Json(String text) {
        org.postgresql.util.PGobject pgObject() throws SQLException {
            var o = new org.postgresql.util.PGobject();
            o.setType("jsonb");
            o.setValue(text);
            return o;
        }
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
