package dev.pulse.control.keys;

import dev.pulse.control.ControlException;
import dev.pulse.control.DisplayNames;
import dev.pulse.control.InvalidFieldException;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** API keys: created with a secret shown once, authenticated by key id and secret hash. */
public final class ApiKeyStore {
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");
    private final TenantDatabase db;
    private final KeyUsage usage;
    private volatile KeyCache cache;

    public ApiKeyStore(TenantDatabase db) {
        this(db, null);
    }

    /** With {@code usage}, every successful authentication is recorded there for {@code last_used_at}. */
    public ApiKeyStore(TenantDatabase db, KeyUsage usage) {
        this.db = db;
        this.usage = usage;
    }

    /** A stored key as its owner sees it: never the secret nor its hash. */
    public record KeyInfo(String keyId, String name, Set<Scope> scopes, Instant createdAt, Instant expiresAt,
            Instant revokedAt, Instant lastUsedAt) {
        /** {@code active}, {@code revoked} or {@code expired}. */
        public String status() {
            if (revokedAt != null) {
                return "revoked";
            }
            return expiresAt != null && !expiresAt.isAfter(Instant.now()) ? "expired" : "active";
        }
    }

    /** A rotation: the new key (secret shown once) and the key it replaces, as it is afterwards. */
    public record RotateResult(CreatedKey key, KeyInfo previous) {
    }

    public record CreatedKey(String token, String keyId, String name, Set<Scope> scopes, Instant expiresAt) {
    }

    /** A key that authenticated: whose it is and what it may do. */
    public record AuthenticatedKey(TenantId tenant, String keyId, Set<Scope> scopes, TenantStatus tenantStatus) {
        public boolean has(Scope scope) {
            return scopes.contains(scope);
        }
    }

    public CreatedKey create(TenantId tenant, String name, Set<Scope> scopes, Instant expiresAt) {
        return create(tenant, name, scopes, expiresAt, Actor.SYSTEM);
    }

    /** Creates a key; its audit entry ({@code key.create}) commits with it. */
    public CreatedKey create(TenantId tenant, String name, Set<Scope> scopes, Instant expiresAt, Actor actor) {
        if (scopes.isEmpty()) {
            throw new InvalidFieldException("invalid-scopes", "scopes", "a key needs at least one scope: ingest, query or manage");
        }
        KeyExpiry.require(expiresAt, Instant.now());
        String keyName = DisplayNames.orDefault("name", name, "key");
        ApiKeys.NewKey key = ApiKeys.generate();
        String[] scopeNames = scopes.stream().map(Scope::wireName).sorted().toArray(String[]::new);
        db.inTenant(tenant, tx -> {
            tx.update("INSERT INTO pulse.api_keys (tenant_id, key_id, name, secret_hash, scopes, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    tenant, key.keyId(), keyName, key.secretHash(), scopeNames, expiresAt);
            return AuditLog.append(tx, actor, "key.create", Map.of("key_id", key.keyId(), "name", keyName, "scopes", List.of(scopeNames)));
        });
        return new CreatedKey(key.token(), key.keyId(), keyName, scopes, expiresAt);
    }

    /**
     * Empty for anything that is not a live key of an existing tenant: malformed, unknown id,
     * wrong secret, revoked or expired. The secret is compared in constant time under RLS.
     * Every call reads the database; {@link KeyCache} answers most calls from memory.
     */
    public Optional<AuthenticatedKey> authenticate(String token) {
        Optional<ApiKeys.PresentedKey> presented = ApiKeys.parse(token);
        if (presented.isEmpty()) {
            return Optional.empty();
        }
        return findLive(presented.get().keyId()).flatMap(live -> accept(presented.get(), live, Instant.now()));
    }

    /** A key as stored while it is neither revoked nor expired: what authenticating it needs. */
    record LiveKey(TenantId tenant, String keyId, byte[] secretHash, Set<Scope> scopes, TenantStatus tenantStatus, Instant expiresAt) {
    }

    /** The key {@code keyId} if it is live now: a directory lookup, then one tenant-bound transaction. */
    Optional<LiveKey> findLive(String keyId) {
        Optional<TenantId> tenant = db.tenantForApiKey(keyId);
        if (tenant.isEmpty()) {
            return Optional.empty();
        }
        return db.inTenant(tenant.get(), tx -> tx.queryOptional("""
                SELECT k.secret_hash, k.scopes, t.status, k.expires_at
                  FROM pulse.api_keys k JOIN pulse.tenants t ON t.tenant_id = k.tenant_id
                 WHERE k.key_id = ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())""",
                rs -> new LiveKey(tenant.get(), keyId, rs.getBytes(1), scopes((String[]) rs.getArray(2).getArray()),
                        TenantStatus.fromWireName(rs.getString(3)), TenantTransaction.instant(rs, "expires_at")), keyId));
    }

    /** The presented key if its secret is the live key's and it has not expired at {@code now}; a success is recorded for last_used_at. */
    Optional<AuthenticatedKey> accept(ApiKeys.PresentedKey presented, LiveKey live, Instant now) {
        if (!presented.keyId().equals(live.keyId()) || !presented.matches(live.secretHash())
                || (live.expiresAt() != null && !live.expiresAt().isAfter(now))) {
            return Optional.empty();
        }
        if (usage != null) {
            usage.record(live.tenant(), live.keyId(), now);
        }
        return Optional.of(new AuthenticatedKey(live.tenant(), live.keyId(), live.scopes(), live.tenantStatus()));
    }

    private static Set<Scope> scopes(String[] names) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(names).forEach(s -> Scope.parse(s).ifPresent(scopes::add));
        return scopes;
    }

    private static final String SELECT_INFO =
            "SELECT key_id, name, scopes, created_at, expires_at, revoked_at, last_used_at FROM pulse.api_keys";

    private static KeyInfo mapInfo(ResultSet rs) throws SQLException {
        return new KeyInfo(rs.getString(1), rs.getString(2), scopes((String[]) rs.getArray(3).getArray()),
                TenantTransaction.instant(rs, "created_at"), TenantTransaction.instant(rs, "expires_at"),
                TenantTransaction.instant(rs, "revoked_at"), TenantTransaction.instant(rs, "last_used_at"));
    }

    /** The tenant's keys, oldest first, revoked and expired ones included. */
    public List<KeyInfo> list(TenantId tenant) {
        return db.inTenant(tenant, tx -> tx.query(SELECT_INFO + " ORDER BY created_at, key_id", ApiKeyStore::mapInfo));
    }

    public Optional<KeyInfo> find(TenantId tenant, String keyId) {
        return db.inTenant(tenant, tx -> find(tx, keyId));
    }

    private static Optional<KeyInfo> find(TenantTransaction tx, String keyId) throws SQLException {
        if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
            return Optional.empty();
        }
        return tx.queryOptional(SELECT_INFO + " WHERE key_id = ?", ApiKeyStore::mapInfo, keyId);
    }

    /** The tenant a key id belongs to: an exact match through the directory, or nothing. */
    public Optional<TenantId> tenantOf(String keyId) {
        return db.tenantForApiKey(keyId);
    }

    /**
     * Revokes a key: from the commit on, every authentication of it fails ({@link #authenticate}
     * and this store's {@link #cache()} at once; another replica's cache within {@link KeyCache#TTL}). Revoking a revoked key changes nothing. Unknown (or another tenant's) key: 404.
     */
    public KeyInfo revoke(TenantId tenant, String keyId) {
        return revoke(tenant, keyId, Actor.SYSTEM);
    }

    /** Revokes a key; when it was not revoked yet, its audit entry ({@code key.revoke}) commits with it. */
    public KeyInfo revoke(TenantId tenant, String keyId, Actor actor) {
        KeyInfo revoked = db.inTenant(tenant, tx -> {
            find(tx, keyId).orElseThrow(() -> ControlException.notFound("key", keyId));
            if (tx.update("UPDATE pulse.api_keys SET revoked_at = now() WHERE key_id = ? AND revoked_at IS NULL", keyId) > 0) {
                AuditLog.append(tx, actor, "key.revoke", Map.of("key_id", keyId));
            }
            return find(tx, keyId).orElseThrow();
        });
        forgetCached(keyId);
        return revoked;
    }

    /**
     * Replaces a live key by a new one with the same name, scopes and expiry, in one transaction.
     * The old key is revoked at once, or with {@code graceSeconds > 0} keeps working until then
     * (its expiry is brought forward) so that producers can switch without a gap.
     */
    public RotateResult rotate(TenantId tenant, String keyId, long graceSeconds) {
        return rotate(tenant, keyId, graceSeconds, Actor.SYSTEM);
    }

    /** Rotates a key; its audit entry ({@code key.rotate}) commits with it. */
    public RotateResult rotate(TenantId tenant, String keyId, long graceSeconds, Actor actor) {
        GracePeriod.require(graceSeconds);
        ApiKeys.NewKey fresh = ApiKeys.generate();
        RotateResult rotated = db.inTenant(tenant, tx -> {
            KeyInfo old = find(tx, keyId).orElseThrow(() -> ControlException.notFound("key", keyId));
            if (!"active".equals(old.status())) {
                throw ControlException.conflict("key-not-active", "key " + keyId + " is " + old.status() + "; only an active key can be rotated");
            }
            String[] scopeNames = old.scopes().stream().map(Scope::wireName).sorted().toArray(String[]::new);
            tx.update("INSERT INTO pulse.api_keys (tenant_id, key_id, name, secret_hash, scopes, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    tenant, fresh.keyId(), old.name(), fresh.secretHash(), scopeNames, old.expiresAt());
            if (graceSeconds == 0) {
                tx.update("UPDATE pulse.api_keys SET revoked_at = now() WHERE key_id = ?", keyId);
            } else {
                tx.update("""
                        UPDATE pulse.api_keys SET expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + make_interval(secs => ?))
                         WHERE key_id = ?""", (double) graceSeconds, keyId);
            }
            AuditLog.append(tx, actor, "key.rotate", Map.of("key_id", keyId, "new_key_id", fresh.keyId(), "grace_seconds", graceSeconds));
            CreatedKey created = new CreatedKey(fresh.token(), fresh.keyId(), old.name(), old.scopes(), old.expiresAt());
            return new RotateResult(created, find(tx, keyId).orElseThrow());
        });
        forgetCached(keyId);
        return rotated;
    }

    /**
     * The store's {@link KeyCache}, made on first use. A key this store revokes or rotates is
     * dropped from it as the change commits, so this replica refuses it from its next request;
     * other replicas within {@link KeyCache#TTL}.
     */
    public synchronized KeyCache cache() {
        if (cache == null) {
            cache = new KeyCache(this);
        }
        return cache;
    }

    private void forgetCached(String keyId) {
        KeyCache current = cache;
        if (current != null) {
            current.forget(keyId);
        }
    }

    public List<String> keyIds(TenantId tenant) {
        return db.inTenant(tenant, (TenantTransaction tx) -> tx.query("SELECT key_id FROM pulse.api_keys ORDER BY created_at", rs -> rs.getString(1)));
    }
}
