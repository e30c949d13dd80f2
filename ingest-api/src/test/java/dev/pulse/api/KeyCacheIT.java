package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.control.keys.ApiKeyStore;
import dev.pulse.control.keys.KeyCache;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API's key cache on the real stack: a key in constant use (so always cached) is refused
 * within one second of being revoked, rotated out or its tenant suspended by another replica
 * (here: the test's own key store, which shares nothing with the API's cache but the database),
 * at once when it expires, and a cached key never lends its entry to a token with another secret.
 */
class KeyCacheIT {
    static final String EVENT = "{\"dataset\": \"clicks\", \"data\": {\"page\": \"/\"}}";
    /** The promise: a change to a key or its tenant is enforced within this, on every replica. */
    static final Duration BOUND = Duration.ofSeconds(1);

    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    /** Another replica's view of the keys: its changes reach the API only through PostgreSQL. */
    static ApiKeyStore otherReplica;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings()));
        http = new ApiClient(api.port());
        otherReplica = stack.keys();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static TenantRecord tenantWithDataset() throws Exception {
        TenantRecord tenant = stack.newTenant();
        stack.schemas().register(tenant.id(), "clicks", ApiClient.MAPPER.readTree(EventsIT.SCHEMA));
        stack.datasets().create(tenant.id(), "clicks", "clicks", null, Partitioning.DAY);
        return tenant;
    }

    /** Posts with {@code key} until it is cached (two 202s in a row), then returns. */
    static void warm(String key) {
        for (int i = 0; i < 2; i++) {
            assertThat(http.ingest(key, EVENT).status()).isEqualTo(202);
        }
    }

    /** Applies {@code change}, then posts until the answer is {@code status}; the time it took after the change committed. */
    static Duration refusedAfter(String key, Runnable change, int status) {
        change.run();
        Instant committed = Instant.now();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).until(() -> http.ingest(key, EVENT).status() == status);
        return Duration.between(committed, Instant.now());
    }

    @Test
    void aKeyRevokedByAnotherReplicaIsRefusedWithinOneSecond() throws Exception {
        TenantRecord tenant = tenantWithDataset();
        String key = stack.keys().create(tenant.id(), "producer", Set.of(Scope.INGEST), null).token();
        warm(key);
        Duration took = refusedAfter(key, () -> otherReplica.revoke(tenant.id(), keyId(key)), 401);
        assertThat(took).isLessThanOrEqualTo(BOUND);
        assertThat(http.ingest(key, EVENT).status()).as("stays refused").isEqualTo(401);
    }

    @Test
    void aKeyRotatedOutByAnotherReplicaIsRefusedWithinOneSecondAndItsSuccessorWorksAtOnce() throws Exception {
        TenantRecord tenant = tenantWithDataset();
        String key = stack.keys().create(tenant.id(), "producer", Set.of(Scope.INGEST), null).token();
        warm(key);
        Supplier<String> successor = () -> otherReplica.rotate(tenant.id(), keyId(key), 0).key().token();
        String[] fresh = new String[1];
        Duration took = refusedAfter(key, () -> fresh[0] = successor.get(), 401);
        assertThat(took).isLessThanOrEqualTo(BOUND);
        assertThat(http.ingest(fresh[0], EVENT).status()).isEqualTo(202);
    }

    @Test
    void aSuspendedTenantsCachedKeyIsRefusedWithinOneSecond() throws Exception {
        TenantRecord tenant = tenantWithDataset();
        String key = stack.keys().create(tenant.id(), "producer", Set.of(Scope.INGEST), null).token();
        warm(key);
        Duration took = refusedAfter(key, () -> stack.db().inTenant(tenant.id(),
                tx -> tx.update("UPDATE pulse.tenants SET status = ?", TenantStatus.SUSPENDED.wireName())), 403);
        assertThat(took).isLessThanOrEqualTo(BOUND);
    }

    @Test
    void aCachedKeyIsRefusedTheMomentItExpires() throws Exception {
        TenantRecord tenant = tenantWithDataset();
        Instant expiresAt = Instant.now().plusSeconds(3);
        String key = stack.keys().create(tenant.id(), "producer", Set.of(Scope.INGEST), expiresAt).token();
        warm(key);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> http.ingest(key, EVENT).status() == 401);
        // The clock, not the cache's age, decides: refused from the first request after the expiry.
        assertThat(Instant.now()).isAfterOrEqualTo(expiresAt);
        assertThat(Duration.between(expiresAt, Instant.now())).isLessThan(KeyCache.TTL);
    }

    @Test
    void anotherTenantsTokenWithACachedKeyIdButItsOwnSecretIsRefused() throws Exception {
        TenantRecord a = tenantWithDataset();
        TenantRecord b = tenantWithDataset();
        String keyOfA = stack.keys().create(a.id(), "a", Set.of(Scope.INGEST), null).token();
        String keyOfB = stack.keys().create(b.id(), "b", Set.of(Scope.INGEST), null).token();
        warm(keyOfA);
        warm(keyOfB);
        String forged = "pulse_" + keyId(keyOfA) + "_" + keyOfB.substring(keyOfB.lastIndexOf('_') + 1);
        assertThat(http.ingest(forged, EVENT).status()).isEqualTo(401);
        // B's own key keeps working, and A's revocation leaves B's cached key alone.
        otherReplica.revoke(a.id(), keyId(keyOfA));
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).until(() -> http.ingest(keyOfA, EVENT).status() == 401);
        assertThat(http.ingest(keyOfB, EVENT).status()).isEqualTo(202);
    }

    @Test
    void aKeyRevokedThroughThisApiIsRefusedFromTheNextRequest() throws Exception {
        TenantRecord tenant = tenantWithDataset();
        String key = stack.keys().create(tenant.id(), "producer", Set.of(Scope.INGEST), null).token();
        warm(key);
        String operator = stack.environment().get("PULSE_OPERATOR_TOKEN");
        var revoked = http.post("/admin/v1/tenants/" + tenant.slug() + "/keys/" + keyId(key) + "/revoke", "",
                "Authorization", "Bearer " + operator, "Content-Type", "application/json", "X-Pulse-Actor", "alice");
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(http.ingest(key, EVENT).status()).isEqualTo(401);
    }

    static String keyId(String token) {
        return token.substring("pulse_".length(), "pulse_".length() + 16);
    }
}
