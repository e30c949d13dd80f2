package dev.pulse.schemas.directory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.event.SchemaParser;
import dev.pulse.schemas.naming.Slugs;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The bound tenant's registered schema versions, read-only, under RLS. Registering a version is
 * the control plane's ({@code dev.pulse.control.registry}); a name that is not a schema name
 * never reaches SQL.
 */
public final class SchemaDirectory {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SELECT = "SELECT name, version, definition::text, fingerprint, created_at FROM pulse.event_schemas";

    private SchemaDirectory() {
    }

    public static Optional<RegisteredSchema> find(TenantTransaction tx, String name, int version) throws SQLException {
        if (!Slugs.isValidSchemaName(name)) {
            return Optional.empty();
        }
        return tx.queryOptional(SELECT + " WHERE name = ? AND version = ?", SchemaDirectory::map, name, version);
    }

    public static Optional<RegisteredSchema> latest(TenantTransaction tx, String name) throws SQLException {
        if (!Slugs.isValidSchemaName(name)) {
            return Optional.empty();
        }
        return tx.queryOptional(SELECT + " WHERE name = ? ORDER BY version DESC LIMIT 1", SchemaDirectory::map, name);
    }

    /** Every version of one schema, oldest first; empty when the name is unknown. */
    public static List<RegisteredSchema> versions(TenantTransaction tx, String name) throws SQLException {
        if (!Slugs.isValidSchemaName(name)) {
            return List.of();
        }
        return tx.query(SELECT + " WHERE name = ? ORDER BY version", SchemaDirectory::map, name);
    }

    private static RegisteredSchema map(ResultSet rs) throws SQLException {
        JsonNode definition;
        try {
            definition = JSON.readTree(rs.getString(3));
        } catch (JsonProcessingException e) {
            throw new SQLException("stored schema definition is not JSON", e);
        }
        return new RegisteredSchema(rs.getString(1), rs.getInt(2), definition, SchemaParser.parse(definition), rs.getString(4),
                TenantTransaction.instant(rs, "created_at"));
    }
}
