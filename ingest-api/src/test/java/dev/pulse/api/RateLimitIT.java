package dev.pulse.api;

import static dev.pulse.api.EventsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.naming.TenantId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-tenant rate limits on POST /v1/events, with two API replicas on one stack sharing every
 * tenant's budget ({@code PULSE_API_REPLICAS=2}: each enforces half).
 */
class RateLimitIT {
    static final String SCHEMA = """
            {"type": "object", "properties": {"n": {"type": "integer"}}}""";
    static final Pattern REMAINING = Pattern.compile("\"events\";r=(\\d+);t=(\\d+), \"bytes\";r=(\\d+);t=(\\d+)");

    static TestStack stack;
    static IngestApi replica1;
    static IngestApi replica2;
    static ApiClient http1;
    static ApiClient http2;
    static String token;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        Map<String, String> settings = Map.of("PULSE_API_REPLICAS", "2", "PULSE_RATE_LIMIT_REFRESH", "PT0.2S");
        replica1 = IngestApi.start(ApiConfig.from(stack.settings(settings)));
        replica2 = IngestApi.start(ApiConfig.from(stack.settings(settings)));
        http1 = new ApiClient(replica1.port());
        http2 = new ApiClient(replica2.port());
        token = stack.environment().get("PULSE_OPERATOR_TOKEN");
    }

    @AfterAll
    static void stop() {
        replica1.close();
        replica2.close();
    }

    record Tenant(TenantId id, String slug, String ingestKey, String manageKey) {
    }

    static Tenant tenant() {
        TestStack.TenantWithDataset t = stack.newTenantWithDataset("counts", SCHEMA, Partitioning.DAY, Scope.INGEST);
        String manage = stack.keys().create(t.tenant().id(), "m", java.util.Set.of(Scope.MANAGE), null).token();
        return new Tenant(t.tenant().id(), t.tenant().slug(), t.key(), manage);
    }

    static ApiClient.Response setLimits(ApiClient http, String bearer, String slug, String body) {
        return http.put("/admin/v1/tenants/" + slug + "/limits", body, "Authorization", "Bearer " + bearer, "Content-Type", "application/json",
                "X-Pulse-Actor", "rate-it");
    }

    static String events(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> "{\"dataset\": \"counts\", \"event_id\": \"" + prefix + "-" + i + "\", \"data\": {\"n\": " + i + "}}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    static long eventsRemaining(ApiClient.Response response) {
        Matcher m = REMAINING.matcher(response.headers().firstValue("RateLimit").orElseThrow());
        assertThat(m.matches()).as(response.headers().firstValue("RateLimit").orElseThrow()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void everyAcceptedRequestCarriesItsTenantsPolicyAndRemainingBudget() {
        Tenant a = tenant();
        var response = http1.ingest(a.ingestKey(), events("one", 3));
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        // standard tier: 10,000 events/s and 10 MiB/s, 10 s of burst, half of it on each of two replicas
        assertThat(response.headers().firstValue("RateLimit-Policy")).contains(
                "\"events\";q=50000;qu=\"events\";w=10, \"bytes\";q=52428800;qu=\"content-bytes\";w=10");
        assertThat(eventsRemaining(response)).isBetween(49_990L, 49_997L);
    }

    @Test
    void overTheLimitIs429WithRetryAfterAndTheRateLimitFieldsAndNothingOfTheRequestIsProduced() {
        Tenant a = tenant();
        var set = setLimits(http1, token, a.slug(), "{\"events_per_second\": 2}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().path("effective_events_per_second").asLong()).isEqualTo(2);
        // 2 events/s in all, 10 s of burst: 10 events at once on each replica
        assertThat(http1.ingest(a.ingestKey(), events("a", 6)).status()).isEqualTo(202);
        var refused = http1.ingest(a.ingestKey(), events("b", 6));
        assertProblem(refused, 429, "rate-limited");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 10L);
        assertThat(refused.headers().firstValue("RateLimit-Policy").orElseThrow()).startsWith("\"events\";q=10;qu=\"events\";w=10");
        assertThat(eventsRemaining(refused)).isLessThan(6);
        assertThat(refused.detail()).contains("nothing of this request was accepted");
        // a request larger than a full budget can never pass: 413, not an endless 429
        assertProblem(http1.ingest(a.ingestKey(), events("c", 11)), 413, "batch-over-rate-limit");
        List<String> produced = RawTopic.readAll(stack.bootstrap(), a.id()).stream()
                .map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
        assertThat(produced).hasSize(6).allMatch(id -> id.startsWith("a-"));
    }

    /**
     * A tenant with nothing left is refused before its body is read: even a body that is not JSON
     * gets the 429 (its 400 would need the parse the refusal saves), while with budget left the
     * same body is the 400 it always was. An Idempotency-Key request still has its body read.
     */
    @Test
    void anExhaustedTenantIsRefusedBeforeItsBodyIsReadAndTheOtherTenantIsNot() {
        Tenant a = tenant();
        Tenant b = tenant();
        assertThat(setLimits(http1, token, a.slug(), "{\"events_per_second\": 1}").status()).isEqualTo(200);
        assertProblem(http1.ingest(a.ingestKey(), "{not json"), 400, "malformed-json");
        // 1 event/s in all, 10 s of burst: 5 at once on this replica, all taken here
        assertThat(http1.ingest(a.ingestKey(), events("a", 5)).status()).isEqualTo(202);
        var refused = http1.ingest(a.ingestKey(), "{not json");
        assertProblem(refused, 429, "rate-limited");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.headers().firstValue("RateLimit")).isPresent();
        // the other tenant, on the same replica, is untouched
        assertProblem(http1.ingest(b.ingestKey(), "{not json"), 400, "malformed-json");
        assertThat(http1.ingest(b.ingestKey(), events("b", 5)).status()).isEqualTo(202);
        // with an Idempotency-Key the body is read (a stored 202 would be replayed): here a 400
        assertProblem(http1.ingest(a.ingestKey(), "{not json", "Idempotency-Key", "\"k-1\""), 400, "malformed-json");
    }

    @Test
    void aRequestRefusedAfterItsAdmissionCostsNothingOfTheBudget() {
        Tenant a = tenant();
        assertThat(setLimits(http1, token, a.slug(), "{\"events_per_second\": 2}").status()).isEqualTo(200);
        // 10 events at once on this replica; five unknown-dataset requests of 6 would take 30
        String unknown = events("u", 6).replace("\"counts\"", "\"no-such-dataset\"");
        for (int i = 0; i < 5; i++) {
            assertProblem(http1.ingest(a.ingestKey(), unknown), 404, "dataset-not-found");
        }
        var fixed = http1.ingest(a.ingestKey(), events("fixed", 6));
        assertThat(fixed.status()).as(fixed.body()).isEqualTo(202);
        assertThat(eventsRemaining(fixed)).isBetween(4L, 10L);
    }

    @Test
    void twoReplicasTogetherNeverAdmitMoreThanTheTenantsLimit() {
        Tenant a = tenant();
        assertThat(setLimits(http2, token, a.slug(), "{\"events_per_second\": 20}").status()).isEqualTo(200);
        long start = System.nanoTime();
        int admitted = 0;
        int[] perReplica = new int[2];
        for (int i = 0; i < 60; i++) {
            ApiClient http = i % 2 == 0 ? http1 : http2;
            var response = http.ingest(a.ingestKey(), events("r" + i, 10));
            if (response.status() == 202) {
                admitted += 10;
                perReplica[i % 2] += 10;
            } else {
                assertProblem(response, 429, "rate-limited");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // Both buckets start full (100 events each), then refill 10 events/s each: 20 in all.
        assertThat(admitted).isGreaterThanOrEqualTo(200).isLessThanOrEqualTo(200 + (int) Math.ceil(20 * seconds) + 10);
        assertThat(perReplica[0]).isGreaterThanOrEqualTo(100);
        assertThat(perReplica[1]).isGreaterThanOrEqualTo(100);
    }

    @Test
    void aFloodingTenantCannotSpendAnotherTenantsBudget() {
        Tenant a = tenant();
        Tenant b = tenant();
        assertThat(setLimits(http1, token, b.slug(), "{\"events_per_second\": 2}").status()).isEqualTo(200);
        int refusedB = 0;
        for (int i = 0; i < 10; i++) {
            if (http1.ingest(b.ingestKey(), events("flood" + i, 5)).status() == 429) {
                refusedB++;
            }
        }
        assertThat(refusedB).isGreaterThanOrEqualTo(7);
        var forA = http1.ingest(a.ingestKey(), events("a", 5));
        assertThat(forA.status()).isEqualTo(202);
        assertThat(eventsRemaining(forA)).isGreaterThanOrEqualTo(49_990L);
    }

    @Test
    void anotherTenantCanNeitherReadNorChangeATenantsLimits() throws Exception {
        Tenant a = tenant();
        Tenant b = tenant();
        assertThat(setLimits(http1, token, a.slug(), "{\"events_per_second\": 300}").status()).isEqualTo(200);
        // B's own keys, even manage, are not the operator's token
        assertProblem(setLimits(http1, b.manageKey(), a.slug(), "{\"events_per_second\": 1}"), 401, "unauthorized");
        assertProblem(setLimits(http1, b.manageKey(), b.slug(), "{\"events_per_second\": 10000000}"), 401, "unauthorized");
        assertProblem(http1.get("/admin/v1/tenants/" + a.slug() + "/limits", "Authorization", "Bearer " + b.manageKey()), 401, "unauthorized");
        assertThat(http1.put("/v1/limits", "{\"events_per_second\": 1}", "Authorization", "Bearer " + b.manageKey(),
                "Content-Type", "application/json").status()).isIn(404, 405);
        // Row-level security: in a transaction bound to B, A's row is neither readable nor writable
        Optional<Long> seen = stack.db().inTenant(b.id(), tx -> tx.queryOptional(
                "SELECT ingest_events_per_second FROM pulse.tenants WHERE tenant_id = ?", rs -> rs.getLong(1), a.id()));
        int changed = stack.db().inTenant(b.id(), tx -> tx.update(
                "UPDATE pulse.tenants SET ingest_events_per_second = 1 WHERE tenant_id = ?", a.id()));
        assertThat(seen).isEmpty();
        assertThat(changed).isZero();
        JsonNode shown = http1.get("/admin/v1/tenants/" + a.slug() + "/limits", "Authorization", "Bearer " + token).json();
        assertThat(shown.path("events_per_second").asLong()).isEqualTo(300);
        assertThat(shown.path("effective_bytes_per_second").asLong()).isEqualTo(10_485_760L);
    }

    @Test
    void anOperatorsChangeIsAuditedValidatedAndCanGoBackToTheTiersDefault() {
        Tenant a = tenant();
        var first = setLimits(http1, token, a.slug(), "{\"events_per_second\": 50, \"bytes_per_second\": 65536}");
        assertThat(first.json().path("changed").asBoolean()).isTrue();
        assertThat(setLimits(http1, token, a.slug(), "{\"events_per_second\": 50, \"bytes_per_second\": 65536}").json()
                .path("changed").asBoolean()).isFalse();
        var reset = setLimits(http1, token, a.slug(), "{\"events_per_second\": null}");
        assertThat(reset.json().path("events_per_second").isNull()).isTrue();
        assertThat(reset.json().path("effective_events_per_second").asLong()).isEqualTo(10_000);
        JsonNode audit = http1.get("/admin/v1/audit?tenant=" + a.slug(), "Authorization", "Bearer " + token).json();
        List<String> actions = java.util.stream.StreamSupport.stream(audit.spliterator(), false)
                .filter(e -> e.path("action").asText().equals("tenant.rate-limits")).map(e -> e.path("actor").asText()).toList();
        assertThat(actions).hasSize(2).allMatch("operator:rate-it"::equals);
        assertProblem(setLimits(http1, token, a.slug(), "{\"events_per_second\": 0}"), 400, "invalid-rate-limit");
        assertProblem(setLimits(http1, token, a.slug(), "{\"bytes_per_second\": 10}"), 400, "invalid-rate-limit");
        assertProblem(setLimits(http1, token, a.slug(), "{\"events_per_second\": \"many\"}"), 400, "invalid-field");
        assertProblem(setLimits(http1, token, "no-such-" + UUID.randomUUID().toString().substring(0, 8), "{}"), 404, "tenant-not-found");
    }
}
