package dev.pulse.control.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pulse.control.ControlException;
import dev.pulse.control.FieldText;
import dev.pulse.control.InvalidFieldException;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.directory.SchemaDirectory;
import dev.pulse.schemas.event.CompiledSchema;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.event.SchemaDefinitionException;
import dev.pulse.schemas.event.SchemaParser;
import dev.pulse.schemas.naming.Slugs;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.DatabaseException;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Versioned event schemas per tenant. Registering appends version N+1 when the definition is
 * BACKWARD compatible with version N; registering the same definition again returns the
 * existing version.
 */
public final class SchemaRegistry {
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final TenantDatabase db;

    public SchemaRegistry(TenantDatabase db) {
        this.db = db;
    }

    public record RegisterResult(RegisteredSchema schema, boolean created) {
    }

    /** The rule a new version of a schema must meet against the latest one. */
    public enum CompatibilityMode {
        /** The new version reads everything the previous one accepted (the default). */
        BACKWARD,
        /** No check; a dataset upgrade still requires BACKWARD compatibility with its current version. */
        NONE;

        public static CompatibilityMode parse(String text) {
            for (CompatibilityMode m : values()) {
                if (m.name().equalsIgnoreCase(text)) {
                    return m;
                }
            }
            throw new InvalidFieldException("invalid-compatibility", "compatibility", "compatibility " + FieldText.quote(text)
                    + " is unknown: use BACKWARD or NONE");
        }
    }

    /** One schema name: its latest version, how many versions it has, and its compatibility rule. */
    public record SchemaSummary(String name, int latestVersion, int versionCount, CompatibilityMode compatibility, Instant updatedAt) {
    }

    public RegisterResult register(TenantId tenant, String name, JsonNode definition) {
        return register(tenant, name, definition, null);
    }

    /**
     * Registers {@code definition} as the next version of {@code name}. {@code mode} null keeps the
     * latest version's rule (BACKWARD for a new name); a given mode applies to this registration
     * and is kept for the next ones.
     */
    public RegisterResult register(TenantId tenant, String name, JsonNode definition, CompatibilityMode mode) {
        return register(tenant, name, definition, mode, Actor.SYSTEM);
    }

    /** Registers; a new version's audit entry ({@code schema.register}) commits with it. */
    public RegisterResult register(TenantId tenant, String name, JsonNode definition, CompatibilityMode mode, Actor actor) {
        if (!Slugs.isValidSchemaName(name)) {
            throw new InvalidFieldException("invalid-schema-name", "name",
                    "schema name " + FieldText.quote(name) + " is invalid: use a lower-case letter, then up to 62 lower-case letters, digits, '_' or '-'");
        }
        String definitionText = SchemaDefinitions.requireStorable(definition);
        EventSchema parsed;
        try {
            parsed = SchemaParser.parse(definition);
            CompiledSchema.compile(definition, parsed); // the worker compiles it the same way: refuse here what it could not
        } catch (SchemaDefinitionException e) {
            throw ControlException.invalid("unsupported-schema", e.getMessage());
        } catch (RuntimeException e) {
            throw ControlException.invalid("unsupported-schema", "the JSON Schema validator cannot compile the schema: " + e.getMessage());
        }
        String fingerprint = fingerprint(definition);
        try {
            return db.inTenant(tenant, tx -> {
                Optional<RegisteredSchema> latest = SchemaDirectory.latest(tx, name);
                CompatibilityMode effective = mode != null ? mode : latest.isEmpty() ? CompatibilityMode.BACKWARD
                        : compatibility(tx, name).orElse(CompatibilityMode.BACKWARD);
                if (latest.isPresent()) {
                    if (latest.get().fingerprint().equals(fingerprint)) {
                        return new RegisterResult(latest.get(), false);
                    }
                    List<String> problems = effective == CompatibilityMode.NONE ? List.of()
                            : Compatibility.backwardIncompatibilities(latest.get().parsed(), parsed);
                    if (!problems.isEmpty()) {
                        throw ControlException.conflict("incompatible-schema", "version " + (latest.get().version() + 1)
                                + " of '" + name + "' is not BACKWARD compatible with version " + latest.get().version() + ": "
                                + String.join("; ", problems));
                    }
                }
                int version = latest.map(s -> s.version() + 1).orElse(1);
                tx.update("INSERT INTO pulse.event_schemas (tenant_id, name, version, definition, fingerprint, compatibility) VALUES (?, ?, ?, ?::json, ?, ?)",
                        tenant, name, version, definitionText, fingerprint, effective.name());
                AuditLog.append(tx, actor, "schema.register", java.util.Map.of("name", name, "version", version, "fingerprint", fingerprint));
                return new RegisterResult(SchemaDirectory.find(tx, name, version).orElseThrow(), true);
            });
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                throw ControlException.conflict("concurrent-registration", "another version of '" + name + "' was registered at the same time; retry");
            }
            throw e;
        }
    }

    /** Every schema name of the tenant, by name. */
    public List<SchemaSummary> list(TenantId tenant) {
        return db.inTenant(tenant, tx -> tx.query("""
                SELECT DISTINCT ON (name) name, version, count(*) OVER (PARTITION BY name), compatibility, created_at
                  FROM pulse.event_schemas ORDER BY name, version DESC""",
                rs -> new SchemaSummary(rs.getString(1), rs.getInt(2), rs.getInt(3), CompatibilityMode.valueOf(rs.getString(4)),
                        TenantTransaction.instant(rs, "created_at"))));
    }

    /** Every version of one schema, oldest first; empty when the name is unknown. */
    public List<RegisteredSchema> versions(TenantId tenant, String name) {
        return db.inTenant(tenant, tx -> SchemaDirectory.versions(tx, name));
    }

    /** The compatibility rule of a schema name (the latest version's). */
    public Optional<CompatibilityMode> compatibility(TenantId tenant, String name) {
        return db.inTenant(tenant, tx -> compatibility(tx, name));
    }

    static Optional<CompatibilityMode> compatibility(TenantTransaction tx, String name) throws SQLException {
        if (!Slugs.isValidSchemaName(name)) {
            return Optional.empty();
        }
        return tx.queryOptional("SELECT compatibility FROM pulse.event_schemas WHERE name = ? ORDER BY version DESC LIMIT 1",
                rs -> CompatibilityMode.valueOf(rs.getString(1)), name);
    }

    public Optional<RegisteredSchema> find(TenantId tenant, String name, int version) {
        return db.inTenant(tenant, tx -> SchemaDirectory.find(tx, name, version));
    }

    public Optional<RegisteredSchema> latest(TenantId tenant, String name) {
        return db.inTenant(tenant, tx -> SchemaDirectory.latest(tx, name));
    }

    /** SHA-256 of the definition with object keys sorted, so formatting and key order do not matter. */
    static String fingerprint(JsonNode definition) {
        try {
            Object plain = CANONICAL.treeToValue(definition, Object.class);
            byte[] canonical = CANONICAL.writeValueAsString(plain).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint a schema", e);
        }
    }
}
