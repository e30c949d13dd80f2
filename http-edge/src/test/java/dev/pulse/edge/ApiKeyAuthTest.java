package dev.pulse.edge;

import static dev.pulse.edge.EdgeClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.keys.ApiKeyStore.AuthenticatedKey;
import dev.pulse.control.keys.Scope;
import dev.pulse.schemas.config.ConfigKey;
import dev.pulse.schemas.config.HttpListener;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.naming.TenantId;
import io.javalin.Javalin;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Authentication by scope, on a real server: one 401 type with the RFC 6750 challenges, one
 * insufficient-scope 403, the tenant from the key only. The keys come from a lookup table here;
 * that the real {@code ApiKeyStore} finds them is the services' integration tests' business.
 */
class ApiKeyAuthTest {
    static final ConfigKey<Integer> TEST_PORT = ConfigKey.port("PULSE_TEST_PORT", 0, "the test server's port");

    static final TenantId TENANT = new TenantId(UUID.randomUUID());
    static final TenantId OTHER = new TenantId(UUID.randomUUID());
    static final Map<String, AuthenticatedKey> KEYS = Map.of(
            "ingest-active", new AuthenticatedKey(TENANT, "k1", Set.of(Scope.INGEST), TenantStatus.ACTIVE),
            "query-active", new AuthenticatedKey(TENANT, "k2", Set.of(Scope.QUERY), TenantStatus.ACTIVE),
            "all-suspended", new AuthenticatedKey(TENANT, "k3", Set.of(Scope.INGEST, Scope.QUERY, Scope.MANAGE), TenantStatus.SUSPENDED),
            "all-provisioning", new AuthenticatedKey(TENANT, "k4", Set.of(Scope.INGEST, Scope.QUERY, Scope.MANAGE), TenantStatus.PROVISIONING));

    static Javalin server;
    static EdgeClient client;

    @BeforeAll
    static void start() {
        ApiKeyAuth auth = new ApiKeyAuth(token -> Optional.ofNullable(KEYS.get(token)));
        server = Javalin.create(javalin -> {
            EdgeServer.configure(javalin);
            for (Scope scope : Scope.values()) {
                javalin.routes.get("/" + scope.wireName(), ctx -> Json.respond(ctx, 200, Map.of("tenant", auth.require(ctx, scope).tenant().toString())));
            }
        });
        EdgeServer.start(server, new HttpListener("127.0.0.1", 0, TEST_PORT), "choose another port");
        client = new EdgeClient(server.port());
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static EdgeClient.Response call(String path, String token, Map<String, String> more) {
        Map<String, String> headers = new java.util.HashMap<>(more);
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        return client.get(path, headers);
    }

    @Test
    void noCredentialIs401WithAPlainChallenge() {
        for (Map<String, String> headers : java.util.List.of(Map.<String, String>of(), Map.of("Authorization", "Basic dXNlcjpwYXNz"), Map.of("Authorization", "Bearer "))) {
            EdgeClient.Response response = client.get("/ingest", headers);
            assertProblem(response, 401, "unauthorized");
            assertThat(response.header("WWW-Authenticate")).as(headers.toString()).isEqualTo("Bearer realm=\"pulse\"");
        }
    }

    @Test
    void aCredentialThatIsNotAKeyIs401InvalidToken() {
        EdgeClient.Response response = call("/ingest", "pulse_0123456789abcdef_nope", Map.of());
        assertProblem(response, 401, "unauthorized");
        assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"pulse\", error=\"invalid_token\"");
    }

    @Test
    void aKeyWithoutTheScopeIs403InsufficientScopeNamingIt() {
        EdgeClient.Response response = call("/query", "ingest-active", Map.of());
        assertProblem(response, 403, "insufficient-scope");
        assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"pulse\", error=\"insufficient_scope\", scope=\"query\"");
        assertProblem(call("/manage", "query-active", Map.of()), 403, "insufficient-scope");
    }

    @Test
    void aSuspendedTenantMayReadButNotWriteOrManage() {
        assertThat(call("/query", "all-suspended", Map.of()).status()).isEqualTo(200);
        assertProblem(call("/ingest", "all-suspended", Map.of()), 403, "tenant-suspended");
        assertProblem(call("/manage", "all-suspended", Map.of()), 403, "tenant-suspended");
    }

    @Test
    void aTenantStillBeingProvisionedMayDoNothing() {
        for (Scope scope : Scope.values()) {
            assertProblem(call("/" + scope.wireName(), "all-provisioning", Map.of()), 403, "tenant-not-active");
        }
    }

    @Test
    void theTenantComesFromTheKeyAndAHeaderCanOnlyMakeTheRequestFail() {
        EdgeClient.Response own = call("/ingest", "ingest-active", Map.of(ApiKeyAuth.TENANT_HEADER, TENANT.toString()));
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.json().path("tenant").asText()).isEqualTo(TENANT.toString());
        assertProblem(call("/ingest", "ingest-active", Map.of(ApiKeyAuth.TENANT_HEADER, OTHER.toString())), 403, "tenant-mismatch");
        assertProblem(call("/ingest", "ingest-active", Map.of(ApiKeyAuth.TENANT_HEADER, "garbage")), 403, "tenant-mismatch");
    }
}
