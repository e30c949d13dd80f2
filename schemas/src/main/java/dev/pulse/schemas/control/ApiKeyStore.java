package dev.pulse.schemas.control;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.ApiKeys;
import dev.pulse.schemas.tenancy.Scope;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** API keys: created with a secret shown once, authenticated by key id and secret hash. */
public final class ApiKeyStore {
    private final TenantDatabase db;

    public ApiKeyStore(TenantDatabase db) {
        this.db = db;
    }

    public record CreatedKey(String token, String keyId, String name, Set<Scope> scopes, Instant expiresAt) {
    }

    /** A key that authenticated: whose it is and what it may do. */
    public record AuthenticatedKey(TenantId tenant, String keyId, Set<Scope> scopes, String tenantStatus) {
        public boolean has(Scope scope) {
            return scopes.contains(scope);
        }
    }

    public CreatedKey create(TenantId tenant, String name, Set<Scope> scopes, Instant expiresAt) {
        if (scopes.isEmpty()) {
            throw ControlException.invalid("invalid-scopes", "a key needs at least one scope: ingest, query or manage");
        }
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw ControlException.invalid("invalid-expiry", "expires_at must be in the future");
        }
        String keyName = name == null || name.isBlank() ? "key" : name;
        ApiKeys.NewKey key = ApiKeys.generate();
        String[] scopeNames = scopes.stream().map(Scope::wireName).sorted().toArray(String[]::new);
        db.inTenant(tenant, tx -> tx.update(
                "INSERT INTO pulse.api_keys (tenant_id, key_id, name, secret_hash, scopes, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                tenant, key.keyId(), keyName, key.secretHash(), scopeNames, expiresAt));
        return new CreatedKey(key.token(), key.keyId(), keyName, scopes, expiresAt);
    }

    /**
     * Empty for anything that is not a live key of an existing tenant: malformed, unknown id,
     * wrong secret, revoked or expired. The secret is compared in constant time under RLS.
     */
    public Optional<AuthenticatedKey> authenticate(String token) {
        Optional<ApiKeys.PresentedKey> presented = ApiKeys.parse(token);
        if (presented.isEmpty()) {
            return Optional.empty();
        }
        String keyId = presented.get().keyId();
        Optional<TenantId> tenant = db.tenantForApiKey(keyId);
        if (tenant.isEmpty()) {
            return Optional.empty();
        }
        record StoredKey(byte[] secretHash, String[] scopes, String tenantStatus) {
        }
        Optional<StoredKey> stored = db.inTenant(tenant.get(), tx -> tx.queryOptional("""
                SELECT k.secret_hash, k.scopes, t.status
                  FROM pulse.api_keys k JOIN pulse.tenants t ON t.tenant_id = k.tenant_id
                 WHERE k.key_id = ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())""",
                rs -> new StoredKey(rs.getBytes(1), (String[]) rs.getArray(2).getArray(), rs.getString(3)), keyId));
        return stored.filter(k -> presented.get().matches(k.secretHash())).map(k -> {
            Set<Scope> scopes = EnumSet.noneOf(Scope.class);
            Arrays.stream(k.scopes()).forEach(s -> Scope.parse(s).ifPresent(scopes::add));
            return new AuthenticatedKey(tenant.get(), keyId, scopes, k.tenantStatus());
        });
    }

    public List<String> keyIds(TenantId tenant) {
        return db.inTenant(tenant, (TenantTransaction tx) -> tx.query("SELECT key_id FROM pulse.api_keys ORDER BY created_at", rs -> rs.getString(1)));
    }
}
