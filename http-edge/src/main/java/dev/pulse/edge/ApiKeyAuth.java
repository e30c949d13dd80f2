package dev.pulse.edge;

import dev.pulse.control.keys.ApiKeyStore.AuthenticatedKey;
import dev.pulse.control.keys.Scope;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.naming.TenantId;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Authenticates a tenant's API key and checks what it may do, the same way in every service.
 * The tenant of a request comes from its key only; a tenant named anywhere else can only make
 * the request fail. A suspended tenant may still read its data ({@link Scope#QUERY}) but not
 * send events or manage itself.
 */
public final class ApiKeyAuth {
    public static final String TENANT_HEADER = "X-Tenant-ID";

    /** Finds the live key a bearer token names: {@code ApiKeyStore::authenticate}. */
    @FunctionalInterface
    public interface KeyLookup {
        Optional<AuthenticatedKey> authenticate(String token);
    }

    private final KeyLookup keys;

    public ApiKeyAuth(KeyLookup keys) {
        this.keys = keys;
    }

    /** The key of the request, which has {@code scope} and belongs to a tenant that may use it. */
    public AuthenticatedKey require(Context ctx, Scope scope) {
        String token = BearerToken.from(ctx.header("Authorization"))
                .orElseThrow(() -> ProblemException.missingCredential("send an API key as 'Authorization: Bearer pulse_<key id>_<secret>'"));
        // One answer for malformed, unknown, wrong secret, revoked and expired: telling them
        // apart would help someone probing for keys.
        AuthenticatedKey key = keys.authenticate(token)
                .orElseThrow(() -> ProblemException.invalidCredential("the API key is not valid (unknown, revoked, expired or malformed)"));
        if (key.tenantStatus() == TenantStatus.SUSPENDED && scope != Scope.QUERY) {
            throw new ProblemException(ProblemType.TENANT_SUSPENDED, "the tenant of this key is suspended; contact the operator");
        }
        if (key.tenantStatus() == TenantStatus.DELETING) {
            // Bound: a cached key carries the status it was read with for at most KeyCache.TTL.
            throw new ProblemException(ProblemType.TENANT_NOT_ACTIVE, "the tenant of this key is being deleted");
        }
        if (key.tenantStatus() != TenantStatus.ACTIVE && key.tenantStatus() != TenantStatus.SUSPENDED) {
            throw new ProblemException(ProblemType.TENANT_NOT_ACTIVE, "the tenant of this key is " + key.tenantStatus()
                    + ", not active; the operator must finish provisioning it");
        }
        if (!key.has(scope)) {
            throw ProblemException.insufficientScope(scope.wireName(), "this API key lacks the '" + scope.wireName() + "' scope");
        }
        String claimed = ctx.header(TENANT_HEADER);
        if (claimed != null) {
            Optional<TenantId> claimedTenant = TenantId.tryParse(claimed.strip());
            if (claimedTenant.isEmpty() || !claimedTenant.get().equals(key.tenant())) {
                throw new ProblemException(ProblemType.TENANT_MISMATCH,
                        TENANT_HEADER + " names a tenant other than the API key's; omit the header or send the key's tenant id");
            }
        }
        return key;
    }
}
