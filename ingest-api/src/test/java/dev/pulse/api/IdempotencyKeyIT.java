package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.api.idempotency.IdempotencyKey;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.tenancy.DatabaseException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Idempotency-Key on POST /v1/events against a real server, PostgreSQL and broker. */
class IdempotencyKeyIT {
    static final String SCHEMA = """
            {"type": "object", "properties": {"page": {"type": "string"}}, "required": ["page"]}""";
    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    static TenantRecord tenantA;
    static TenantRecord tenantB;
    static String keyA;
    static String keyB;

    @BeforeAll
    static void start() throws Exception {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings()));
        http = new ApiClient(api.port());
        tenantA = stack.newTenant();
        tenantB = stack.newTenant();
        for (TenantRecord t : List.of(tenantA, tenantB)) {
            stack.schemas().register(t.id(), "clicks", ApiClient.MAPPER.readTree(SCHEMA));
            stack.datasets().create(t.id(), "clicks", "clicks", null, Partitioning.DAY);
        }
        keyA = stack.keys().create(tenantA.id(), "a", Set.of(Scope.INGEST), null).token();
        keyB = stack.keys().create(tenantB.id(), "b", Set.of(Scope.INGEST), null).token();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static String events(String... pages) {
        List<String> events = new ArrayList<>();
        for (String page : pages) {
            events.add("{\"dataset\": \"clicks\", \"data\": {\"page\": \"" + page + "\"}}");
        }
        return "[" + String.join(", ", events) + "]";
    }

    static long recordsOn(TenantRecord tenant) {
        return RawTopic.readAll(stack.bootstrap(), tenant.id()).size();
    }

    static List<String> keysOn(TenantRecord tenant) {
        return RawTopic.readAll(stack.bootstrap(), tenant.id()).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    }

    static String newKey() {
        return UUID.randomUUID().toString();
    }

    @Test
    void aRetryWithTheSameKeyAndBodyGetsTheOriginalResponseAndProducesNothing() {
        String key = newKey();
        String body = events("/a", "/b");
        ApiClient.Response first = http.ingest(keyA, body, "Idempotency-Key", key);
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        long produced = recordsOn(tenantA);

        // The same body with other whitespace, and the key as the draft's quoted string.
        ApiClient.Response retry = http.ingest(keyA, body.replace(", ", ",\n  "), "Idempotency-Key", "\"" + key + "\"");
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(recordsOn(tenantA)).isEqualTo(produced);
    }

    @Test
    void eventsWithoutIdsGetIdsDerivedFromTheKeySoAnyRetryCarriesTheSameIds() {
        String key = newKey();
        ApiClient.Response response = http.ingest(keyA, events("/x", "/y"), "Idempotency-Key", key);
        List<String> ids = new ArrayList<>();
        response.json().path("event_ids").forEach(id -> ids.add(id.asText()));
        assertThat(ids).containsExactly(derived(tenantA, key, 0), derived(tenantA, key, 1));
        assertThat(keysOn(tenantA)).containsAll(ids);
        // Given ids stay as given.
        String given = "given-" + UUID.randomUUID();
        ApiClient.Response withId = http.ingest(keyA, "{\"dataset\": \"clicks\", \"event_id\": \"" + given + "\", \"data\": {\"page\": \"/g\"}}",
                "Idempotency-Key", newKey());
        assertThat(withId.json().path("event_ids").get(0).asText()).isEqualTo(given);
    }

    static String derived(TenantRecord tenant, String key, int index) {
        return UUID.nameUUIDFromBytes((tenant.id() + "\n" + key + "\n" + index).getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndProducesNothing() {
        String key = newKey();
        assertThat(http.ingest(keyA, events("/one"), "Idempotency-Key", key).status()).isEqualTo(202);
        long produced = recordsOn(tenantA);
        ApiClient.Response other = http.ingest(keyA, events("/two"), "Idempotency-Key", key);
        EventsIT.assertProblem(other, 422, "idempotency-key-reused");
        assertThat(recordsOn(tenantA)).isEqualTo(produced);
    }

    @Test
    void aKeyWhoseRequestIsInFlightIs409() {
        String key = newKey();
        String body = events("/slow");
        insertInFlight(tenantA, key, body, Duration.ZERO);
        EventsIT.assertProblem(http.ingest(keyA, body, "Idempotency-Key", key), 409, "idempotency-key-in-use");
    }

    @Test
    void concurrentRetriesOfOneRequestProduceItOnce() throws Exception {
        String key = newKey();
        String body = events("/race-1", "/race-2", "/race-3");
        long before = recordsOn(tenantA);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<ApiClient.Response>> responses = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                responses.add(pool.submit(() -> http.ingest(keyA, body, "Idempotency-Key", key)));
            }
            List<Integer> statuses = new ArrayList<>();
            int processed = 0;
            for (Future<ApiClient.Response> f : responses) {
                ApiClient.Response r = f.get();
                statuses.add(r.status());
                if (r.status() == 202 && r.headers().firstValue("Idempotent-Replayed").isEmpty()) {
                    processed++;
                }
            }
            assertThat(statuses).allMatch(s -> s == 202 || s == 409);
            assertThat(processed).isEqualTo(1);
        } finally {
            pool.shutdown();
        }
        assertThat(recordsOn(tenantA) - before).isEqualTo(3);
    }

    @Test
    void aRequestAbandonedInFlightByADeadApiIsTakenOverByItsRetryWithTheSameIds() {
        // The API died after producing (part of) the request and before storing its response:
        // after the lease, the retry produces again with the same derived ids, which the worker's
        // deduplication recognises (DeduplicationIT).
        String key = newKey();
        String body = events("/abandoned");
        insertInFlight(tenantA, key, body, Duration.ofMinutes(5));
        ApiClient.Response retry = http.ingest(keyA, body, "Idempotency-Key", key);
        assertThat(retry.status()).as(retry.body()).isEqualTo(202);
        assertThat(retry.json().path("event_ids").get(0).asText()).isEqualTo(derived(tenantA, key, 0));
    }

    @Test
    void aFailedRequestForgetsItsKeySoTheCorrectedRetryIsProcessed() {
        String key = newKey();
        String body = "[{\"dataset\": \"no-such-dataset\", \"data\": {\"page\": \"/p\"}}]";
        EventsIT.assertProblem(http.ingest(keyA, body, "Idempotency-Key", key), 404, "dataset-not-found");
        EventsIT.assertProblem(http.ingest(keyA, body, "Idempotency-Key", key), 404, "dataset-not-found");
        assertThat(storedKeys(tenantA, key)).isZero();
    }

    @Test
    void keysArePerTenantAndAnotherTenantNeverSeesTheResponse() {
        String key = newKey();
        ApiClient.Response a = http.ingest(keyA, events("/tenant-a"), "Idempotency-Key", key);
        long producedForB = recordsOn(tenantB);
        // B with the same key string and the same body: its own request, its own ids, produced to its own topic.
        ApiClient.Response b = http.ingest(keyB, events("/tenant-a"), "Idempotency-Key", key);
        assertThat(b.status()).isEqualTo(202);
        assertThat(b.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(b.body()).isNotEqualTo(a.body());
        assertThat(recordsOn(tenantB)).isEqualTo(producedForB + 1);

        // Under RLS bound to B, A's row cannot be read, changed or deleted; nor forged in A's name.
        long seen = stack.db().inTenant(tenantB.id(), tx -> tx.queryOptional(
                "SELECT count(*) FROM pulse.idempotency_keys WHERE tenant_id = ?", rs -> rs.getLong(1), tenantA.id()).orElseThrow());
        int changed = stack.db().inTenant(tenantB.id(), tx -> tx.update(
                "UPDATE pulse.idempotency_keys SET response = 'stolen' WHERE tenant_id = ?", tenantA.id()));
        int deleted = stack.db().inTenant(tenantB.id(), tx -> tx.update("DELETE FROM pulse.idempotency_keys WHERE tenant_id = ?", tenantA.id()));
        assertThat(List.of(seen, (long) changed, (long) deleted)).containsOnly(0L);
        assertThatThrownBy(() -> stack.db().inTenant(tenantB.id(), tx -> tx.update("""
                INSERT INTO pulse.idempotency_keys (tenant_id, idempotency_key, request_hash, created_at) VALUES (?, 'forged', '\\x00', now())""",
                tenantA.id()))).isInstanceOf(DatabaseException.class).hasMessageContaining("row-level security");
        assertThat(http.ingest(keyA, events("/tenant-a"), "Idempotency-Key", key).body()).isEqualTo(a.body());
    }

    @Test
    void anExpiredKeyIsNewAgain() {
        String key = newKey();
        assertThat(http.ingest(keyA, events("/old"), "Idempotency-Key", key).status()).isEqualTo(202);
        ageKeys(tenantA, Duration.ofDays(2));
        ApiClient.Response reuse = http.ingest(keyA, events("/new"), "Idempotency-Key", key);
        assertThat(reuse.status()).as(reuse.body()).isEqualTo(202);
        assertThat(reuse.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void aMalformedKeyIs400NamingTheHeader() {
        for (String bad : List.of("", "has space", "x".repeat(256), "quote\"inside", "\"\"")) {
            ApiClient.Response response = http.ingest(keyA, events("/bad-key"), "Idempotency-Key", bad);
            EventsIT.assertProblem(response, 400, "invalid-idempotency-key");
            assertThat(response.json().path("errors").get(0).path("field").asText()).isEqualTo("Idempotency-Key");
        }
    }

    static void insertInFlight(TenantRecord tenant, String key, String body, Duration age) {
        byte[] fingerprint;
        try {
            fingerprint = IdempotencyKey.fingerprint(ApiClient.MAPPER.readTree(body));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        stack.db().inTenant(tenant.id(), tx -> tx.update("""
                INSERT INTO pulse.idempotency_keys (tenant_id, idempotency_key, request_hash, created_at)
                VALUES (?, ?, ?, now() - ? * interval '1 millisecond')""", tenant.id(), key, fingerprint, age.toMillis()));
    }

    static long storedKeys(TenantRecord tenant, String key) {
        return stack.db().inTenant(tenant.id(), tx -> tx.queryOptional(
                "SELECT count(*) FROM pulse.idempotency_keys WHERE idempotency_key = ?", rs -> rs.getLong(1), key).orElseThrow());
    }

    static void ageKeys(TenantRecord tenant, Duration age) {
        stack.db().inTenant(tenant.id(), tx -> tx.update(
                "UPDATE pulse.idempotency_keys SET created_at = created_at - ? * interval '1 millisecond'", age.toMillis()));
    }
}
