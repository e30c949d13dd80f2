package dev.pulse.query.http;

import dev.pulse.schemas.control.ApiKeyStore;
import dev.pulse.schemas.control.ApiKeyStore.AuthenticatedKey;
import dev.pulse.schemas.http.BearerToken;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.Scope;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Who is asking: the API key decides the tenant, never a header. An {@code X-Tenant-ID} header is
 * accepted only as an assertion that must match the key's tenant.
 */
final class Authenticator {
    static final String TENANT_HEADER = "X-Tenant-ID";

    private final ApiKeyStore keys;

    Authenticator(ApiKeyStore keys) {
        this.keys = keys;
    }

    AuthenticatedKey require(Context ctx, Scope scope) {
        String token = BearerToken.from(ctx.header("Authorization")).orElseThrow(ApiProblemException.Unauthorized::missing);
        AuthenticatedKey key = keys.authenticate(token).orElseThrow(ApiProblemException.Unauthorized::invalid);
        String asserted = ctx.header(TENANT_HEADER);
        if (asserted != null) {
            Optional<TenantId> claimed = TenantId.tryParse(asserted.strip());
            if (claimed.isEmpty() || !claimed.get().equals(key.tenant())) {
                throw ApiProblemException.forbidden("tenant-mismatch",
                        TENANT_HEADER + " does not name the tenant of this API key; omit the header or send the key's tenant id");
            }
        }
        if (!key.has(scope)) {
            throw ApiProblemException.forbidden("insufficient-scope", "this API key lacks the '" + scope.wireName() + "' scope");
        }
        // A suspended tenant may still read its own data; one still being provisioned has none yet.
        if (!"active".equals(key.tenantStatus()) && !"suspended".equals(key.tenantStatus())) {
            throw ApiProblemException.forbidden("tenant-not-active", "the tenant is " + key.tenantStatus());
        }
        return key;
    }
}
