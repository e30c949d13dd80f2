package dev.pulse.api.control;

import dev.pulse.control.keys.ApiKeyStore.AuthenticatedKey;
import dev.pulse.control.keys.Scope;
import dev.pulse.edge.ApiKeyAuth;

/** The tenant's own callers: an API key with scope {@code manage}, its tenant the key's, its actor {@code key:<key id>}. */
public final class SelfService {
    public static final String PREFIX = "/v1";

    private SelfService() {
    }

    public static CallerResolver manageKey(ApiKeyAuth auth) {
        return ctx -> {
            AuthenticatedKey key = auth.require(ctx, Scope.MANAGE);
            return new Caller(key.tenant(), "key:" + key.keyId());
        };
    }
}
