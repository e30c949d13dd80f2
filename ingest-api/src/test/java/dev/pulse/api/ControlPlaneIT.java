package dev.pulse.api;

import static dev.pulse.api.EventsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.freshness.IngestWatermarks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control plane over HTTP: tenants' lifecycle and audit log, keys, schemas and datasets both
 * through the operator mirrors and a tenant's own manage key, and the isolation between tenants.
 */
class ControlPlaneIT {
    static final String SCHEMA = """
            {"type": "object", "properties": {"page": {"type": "string"}, "ms": {"type": "integer", "format": "int32"}}, "required": ["page"]}""";
    static final String SCHEMA_V2 = """
            {"type": "object", "properties": {"page": {"type": "string"}, "ms": {"type": "integer"}, "referrer": {"type": ["string", "null"]}},
             "required": ["page"]}""";

    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    static String token;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of(PulseKeys.KEY_USAGE_FLUSH_MS.name(), "200"))));
        http = new ApiClient(api.port());
        token = stack.environment().get("PULSE_OPERATOR_TOKEN");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static String newSlug() {
        return "cp-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static ApiClient.Response operatorGet(String path) {
        return http.get(path, "Authorization", "Bearer " + token);
    }

    static ApiClient.Response operatorPost(String path, String body) {
        return http.post(path, body, "Authorization", "Bearer " + token, "Content-Type", "application/json", "X-Pulse-Actor", "alice");
    }

    static ApiClient.Response keyGet(String key, String path) {
        return http.get(path, "Authorization", "Bearer " + key);
    }

    static ApiClient.Response keyPost(String key, String path, String body) {
        return http.post(path, body, "Authorization", "Bearer " + key, "Content-Type", "application/json");
    }

    static JsonNode expect(ApiClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        return response.json();
    }

    /** A tenant with schema 'clicks' v1, dataset 'web-clicks' and a manage key; returns {slug, manage key}. */
    static String[] tenantWithManageKey() {
        String slug = newSlug();
        expect(operatorPost("/admin/v1/tenants", "{\"slug\": \"" + slug + "\"}"), 201);
        String base = "/admin/v1/tenants/" + slug;
        expect(operatorPost(base + "/schemas", "{\"name\": \"clicks\", \"definition\": " + SCHEMA + "}"), 201);
        expect(operatorPost(base + "/datasets", "{\"slug\": \"web-clicks\", \"schema\": \"clicks\"}"), 201);
        String key = expect(operatorPost(base + "/keys", "{\"name\": \"admin\", \"scopes\": [\"manage\"]}"), 201).path("key").asText();
        return new String[] {slug, key};
    }

    // ---- tenants and audit ----

    @Test
    void tenantsAreListedSuspendedAndResumedAndEveryChangeIsAudited() {
        String slug = newSlug();
        JsonNode tenant = expect(operatorPost("/admin/v1/tenants", "{\"slug\": \"" + slug + "\", \"tier\": \"free\"}"), 201);
        expect(operatorPost("/admin/v1/tenants/" + slug + "/schemas", "{\"name\": \"clicks\", \"definition\": " + SCHEMA + "}"), 201);
        expect(operatorPost("/admin/v1/tenants/" + slug + "/datasets", "{\"slug\": \"web-clicks\", \"schema\": \"clicks\"}"), 201);
        String ingestKey = expect(operatorPost("/admin/v1/tenants/" + slug + "/keys", "{\"scopes\": [\"ingest\"]}"), 201).path("key").asText();

        JsonNode listed = expect(operatorGet("/admin/v1/tenants"), 200);
        List<String> slugs = new ArrayList<>();
        listed.forEach(t -> slugs.add(t.path("slug").asText()));
        assertThat(slugs).contains(slug).isSorted();

        assertThat(expect(operatorPost("/admin/v1/tenants/" + slug + "/suspend", ""), 200).path("status").asText()).isEqualTo("suspended");
        var refused = http.ingest(ingestKey, "{\"dataset\": \"web-clicks\", \"data\": {\"page\": \"/\"}}");
        assertProblem(refused, 403, "tenant-suspended");
        assertThat(refused.detail()).contains("suspended");
        assertThat(expect(operatorPost("/admin/v1/tenants/" + slug + "/suspend", ""), 200).path("status").asText()).isEqualTo("suspended");

        assertThat(expect(operatorPost("/admin/v1/tenants/" + slug + "/resume", ""), 200).path("status").asText()).isEqualTo("active");
        assertThat(http.ingest(ingestKey, "{\"dataset\": \"web-clicks\", \"data\": {\"page\": \"/\"}}").status()).isEqualTo(202);

        JsonNode audit = expect(operatorGet("/admin/v1/audit?tenant=" + slug), 200);
        List<String> actions = new ArrayList<>();
        audit.forEach(e -> {
            actions.add(e.path("action").asText());
            assertThat(e.path("actor").asText()).isEqualTo("operator:alice");
            assertThat(e.path("tenant_id").asText()).isEqualTo(tenant.path("id").asText());
        });
        // Newest first; the second (no-op) suspend is not a change and is not recorded.
        assertThat(actions).containsExactly("tenant.resume", "tenant.suspend", "key.create", "dataset.create", "schema.register", "tenant.create");
        // Numbered within the tenant, newest first: nothing another tenant did shows in the numbers.
        assertThat(audit).extracting(e -> e.path("seq").asLong()).containsExactly(6L, 5L, 4L, 3L, 2L, 1L);
        assertProblem(operatorGet("/admin/v1/audit?limit=0"), 400, "invalid-limit");
    }

    @Test
    void unknownTenantsAreNotFoundAndOperatorRoutesNeedTheToken() {
        String slug = newSlug();
        for (String path : List.of("/suspend", "/resume", "/keys/0123456789abcdef/revoke")) {
            assertProblem(operatorPost("/admin/v1/tenants/" + slug + path, ""), 404, "tenant-not-found");
        }
        for (String path : List.of("", "/keys", "/schemas", "/datasets", "/datasets/x-y-z", "/schemas/clicks")) {
            assertProblem(operatorGet("/admin/v1/tenants/" + slug + path), 404, "tenant-not-found");
        }
        assertProblem(operatorGet("/admin/v1/audit?tenant=" + slug), 404, "tenant-not-found");
        assertProblem(http.get("/admin/v1/tenants"), 401, "unauthorized");
        assertProblem(http.get("/admin/v1/audit"), 401, "unauthorized");
        assertProblem(http.get("/admin/v1/tenants/" + slug + "/keys"), 401, "unauthorized");
    }

    // ---- keys ----

    @Test
    void keysAreListedWithoutSecretsRevokedWithinSecondsAndRotated() {
        String[] t = tenantWithManageKey();
        String manage = t[1];
        JsonNode created = expect(keyPost(manage, "/v1/keys", "{\"name\": \"producer\", \"scopes\": [\"ingest\"]}"), 201);
        String producer = created.path("key").asText();
        String producerId = created.path("key_id").asText();

        var listed = keyGet(manage, "/v1/keys");
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body()).doesNotContain(producer.substring(producer.lastIndexOf('_') + 1)).doesNotContain("\"key\"");
        assertThat(listed.json()).hasSize(2);
        assertThat(http.ingest(producer, "{\"dataset\": \"web-clicks\", \"data\": {\"page\": \"/\"}}").status()).isEqualTo(202);

        JsonNode revoked = expect(keyPost(manage, "/v1/keys/" + producerId + "/revoke", ""), 200);
        assertThat(revoked.path("status").asText()).isEqualTo("revoked");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertProblem(http.ingest(producer, "{\"dataset\": \"web-clicks\", \"data\": {\"page\": \"/\"}}"), 401, "unauthorized"));

        JsonNode rotated = expect(keyPost(manage, "/v1/keys/" + keyId(manage) + "/rotate", "{\"grace_seconds\": 60}"), 201);
        String newManage = rotated.path("key").asText();
        assertThat(rotated.path("previous").path("status").asText()).isEqualTo("active");
        assertThat(rotated.path("scopes").toString()).isEqualTo("[\"manage\"]");
        assertThat(keyGet(newManage, "/v1/keys").status()).isEqualTo(200);
        assertThat(keyGet(manage, "/v1/keys").status()).isEqualTo(200);

        JsonNode immediate = expect(keyPost(newManage, "/v1/keys/" + keyId(manage) + "/rotate", ""), 201);
        assertThat(immediate.path("previous").path("status").asText()).isEqualTo("revoked");
        assertProblem(keyGet(manage, "/v1/keys"), 401, "unauthorized");
        assertProblem(keyPost(newManage, "/v1/keys/" + keyId(manage) + "/rotate", ""), 409, "key-not-active");
    }

    static String keyId(String token) {
        return token.substring("pulse_".length(), "pulse_".length() + 16);
    }

    @Test
    void anExpiredKeyIsRefusedAndAnUnknownScopeIsABadRequest() {
        String[] t = tenantWithManageKey();
        String soon = Instant.now().plusSeconds(2).toString();
        String key = expect(keyPost(t[1], "/v1/keys", "{\"scopes\": [\"ingest\"], \"expires_at\": \"" + soon + "\"}"), 201).path("key").asText();
        assertThat(http.ingest(key, "{\"dataset\": \"web-clicks\", \"data\": {\"page\": \"/\"}}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertProblem(http.ingest(key, "{\"dataset\": \"web-clicks\", \"data\": {\"page\": \"/\"}}"), 401, "unauthorized"));
        JsonNode keys = expect(keyGet(t[1], "/v1/keys"), 200);
        assertThat(keys.findValuesAsText("status")).contains("expired");

        var unknown = keyPost(t[1], "/v1/keys", "{\"scopes\": [\"root\"]}");
        assertProblem(unknown, 400, "unknown-scope");
        assertThat(unknown.detail()).contains("root");
    }

    @Test
    void lastUsedAtIsSetWithoutAWritePerRequest() {
        String[] t = tenantWithManageKey();
        JsonNode before = expect(keyGet(t[1], "/v1/keys"), 200);
        assertThat(before.size()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode keys = expect(operatorGet("/admin/v1/tenants/" + t[0] + "/keys"), 200);
            assertThat(keys.get(0).path("last_used_at").isTextual()).as(keys.toString()).isTrue();
        });
    }

    @Test
    void aKeyWithoutTheManageScopeCannotUseTheControlPlane() {
        String[] t = tenantWithManageKey();
        String ingestOnly = expect(keyPost(t[1], "/v1/keys", "{\"scopes\": [\"ingest\", \"query\"]}"), 201).path("key").asText();
        assertProblem(keyGet(ingestOnly, "/v1/keys"), 403, "insufficient-scope");
        assertProblem(keyPost(ingestOnly, "/v1/schemas", "{\"name\": \"x\", \"definition\": " + SCHEMA + "}"), 403, "insufficient-scope");
        assertProblem(http.get("/v1/datasets"), 401, "unauthorized");
    }

    // ---- isolation ----

    @Test
    void aManageKeyOfTenantBNeitherSeesNorChangesAnythingOfTenantA() {
        String[] a = tenantWithManageKey();
        String[] b = tenantWithManageKey();
        String keyOfA = expect(keyPost(a[1], "/v1/keys", "{\"scopes\": [\"ingest\"]}"), 201).path("key_id").asText();
        expect(keyPost(a[1], "/v1/schemas", "{\"name\": \"only-a\", \"definition\": " + SCHEMA + "}"), 201);
        expect(keyPost(a[1], "/v1/datasets", "{\"slug\": \"only-a\", \"schema\": \"only-a\"}"), 201);

        assertProblem(keyPost(b[1], "/v1/keys/" + keyOfA + "/revoke", ""), 404, "key-not-found");
        assertProblem(keyPost(b[1], "/v1/keys/" + keyOfA + "/rotate", ""), 404, "key-not-found");
        assertProblem(keyGet(b[1], "/v1/schemas/only-a"), 404, "schema-not-found");
        assertProblem(keyGet(b[1], "/v1/schemas/only-a/versions/1"), 404, "schema-not-found");
        assertProblem(keyGet(b[1], "/v1/datasets/only-a"), 404, "dataset-not-found");
        assertProblem(keyPost(b[1], "/v1/datasets/only-a/upgrade", "{\"schema_version\": 1}"), 404, "dataset-not-found");
        assertProblem(keyPost(b[1], "/v1/datasets", "{\"slug\": \"stolen\", \"schema\": \"only-a\"}"), 404, "schema-not-found");
        assertThat(keyGet(b[1], "/v1/keys").body()).doesNotContain(keyOfA);
        assertThat(keyGet(b[1], "/v1/schemas").body()).doesNotContain("only-a");
        assertThat(keyGet(b[1], "/v1/datasets").body()).doesNotContain("only-a");
        // Naming tenant A in the header does not help either.
        assertThat(keyGet(a[1], "/v1/keys").body()).contains(keyOfA);
        assertThat(expect(keyGet(a[1], "/v1/keys"), 200).findValuesAsText("status")).doesNotContain("revoked");
    }

    // ---- schemas ----

    @Test
    void schemasAreListedShownAndEvolvedWithTheCompatibilityRules() {
        String[] t = tenantWithManageKey();
        String key = t[1];
        JsonNode v2 = expect(keyPost(key, "/v1/schemas", "{\"name\": \"clicks\", \"definition\": " + SCHEMA_V2 + "}"), 201);
        assertThat(v2.path("version").asInt()).isEqualTo(2);
        assertThat(v2.path("compatibility").asText()).isEqualTo("BACKWARD");
        JsonNode again = expect(keyPost(key, "/v1/schemas", "{\"name\": \"clicks\", \"definition\": " + SCHEMA_V2 + "}"), 200);
        assertThat(again.path("created").asBoolean()).isFalse();
        assertThat(again.path("version").asInt()).isEqualTo(2);

        JsonNode list = expect(keyGet(key, "/v1/schemas"), 200);
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("name").asText()).isEqualTo("clicks");
        assertThat(list.get(0).path("latest_version").asInt()).isEqualTo(2);
        JsonNode shown = expect(keyGet(key, "/v1/schemas/clicks"), 200);
        assertThat(shown.path("versions")).hasSize(2);
        assertThat(shown.path("definition").path("properties").has("referrer")).isTrue();
        JsonNode v1 = expect(keyGet(key, "/v1/schemas/clicks/versions/1"), 200);
        assertThat(v1.path("definition").path("properties").path("ms").path("format").asText()).isEqualTo("int32");
        assertProblem(keyGet(key, "/v1/schemas/clicks/versions/9"), 404, "schema-not-found");
        assertProblem(keyGet(key, "/v1/schemas/clicks/versions/zero"), 400, "invalid-version");
        assertProblem(keyGet(key, "/v1/schemas/nope"), 404, "schema-not-found");

        var incompatible = keyPost(key, "/v1/schemas", """
                {"name": "clicks", "definition": {"type": "object", "properties": {"page": {"type": "integer"}, "user": {"type": "string"}},
                 "required": ["page", "user"]}}""");
        assertProblem(incompatible, 409, "incompatible-schema");
        assertThat(incompatible.detail()).contains("/properties/page: type changed").contains("'ms' was removed")
                .contains("'referrer' was removed").contains("new property 'user' is required");
    }

    @Test
    void badSchemasAreRefusedWithTheirReason() {
        String[] t = tenantWithManageKey();
        String key = t[1];
        var unsupported = keyPost(key, "/v1/schemas", """
                {"name": "s", "definition": {"type": "object", "properties": {"a": {"type": "string", "contentMediaType": "text/html"}}}}""");
        assertProblem(unsupported, 400, "unsupported-schema");
        assertThat(unsupported.detail()).contains("contentMediaType").contains("/properties/a/contentMediaType");
        var notAnObject = keyPost(key, "/v1/schemas", "{\"name\": \"s\", \"definition\": {\"type\": \"string\"}}");
        assertProblem(notAnObject, 400, "unsupported-schema");
        assertThat(notAnObject.detail()).contains("/type").contains("object");
        assertProblem(keyPost(key, "/v1/schemas", "{\"name\": \"s\", \"definition\": "), 400, "malformed-json");
        assertProblem(keyPost(key, "/v1/schemas", "{\"name\": \"Bad Name\", \"definition\": " + SCHEMA + "}"), 400, "invalid-schema-name");
        assertProblem(keyPost(key, "/v1/schemas", "{\"name\": \"s\", \"definition\": " + SCHEMA + ", \"compatibility\": \"FULL\"}"),
                400, "invalid-compatibility");
    }

    // ---- datasets ----

    @Test
    void aDatasetDescriptionCarriesItsTenantsFreshnessWatermarkAndNeverAnotherTenants() {
        String[] a = tenantWithManageKey();
        String[] b = tenantWithManageKey();
        assertThat(expect(keyGet(a[1], "/v1/datasets/web-clicks"), 200).path("complete_through").isNull()).isTrue();
        Instant through = Instant.parse("2026-12-01T10:00:00Z");
        // A watermark row as the worker writes it (here: a topic of one partition).
        stack.db().inTenant(stack.db().tenantForSlug(a[0]).orElseThrow(), tx -> {
            IngestWatermarks.advance(tx, 0, 1, through);
            return null;
        });
        assertThat(expect(keyGet(a[1], "/v1/datasets/web-clicks"), 200).path("complete_through").asText()).isEqualTo(through.toString());
        assertThat(expect(operatorGet("/admin/v1/tenants/" + a[0] + "/datasets/web-clicks"), 200).path("complete_through").asText())
                .isEqualTo(through.toString());
        assertThat(expect(keyGet(b[1], "/v1/datasets/web-clicks"), 200).path("complete_through").isNull()).isTrue();
    }

    @Test
    void datasetsAreCreatedDescribedListedAndUpgraded() {
        String[] t = tenantWithManageKey();
        String key = t[1];
        JsonNode created = expect(keyPost(key, "/v1/datasets", """
                {"slug": "bucketed", "schema": "clicks", "partitioning": "hour", "bucket": {"field": "page", "count": 8}}"""), 201);
        assertThat(created.path("bucket").path("field").asText()).isEqualTo("page");
        assertThat(expect(keyGet(key, "/v1/datasets"), 200).findValuesAsText("slug")).containsExactly("bucketed", "web-clicks");

        JsonNode described = expect(keyGet(key, "/v1/datasets/bucketed"), 200);
        assertThat(described.path("schema_version").asInt()).isEqualTo(1);
        assertThat(described.path("partition_spec").asText()).contains("bucket[8]");
        assertThat(described.path("snapshot_count").asInt()).isZero();
        assertThat(described.path("row_count").asLong()).isZero();
        // Property order is not kept (definitions are stored as jsonb); the envelope always leads.
        assertThat(described.path("columns").findValuesAsText("name")).startsWith("event_id", "event_time", "received_at")
                .containsExactlyInAnyOrder("event_id", "event_time", "received_at", "page", "ms");
        assertThat(columnType(described, "ms")).isEqualTo("int");

        expect(keyPost(key, "/v1/schemas", "{\"name\": \"clicks\", \"definition\": " + SCHEMA_V2 + "}"), 201);
        JsonNode upgraded = expect(keyPost(key, "/v1/datasets/bucketed/upgrade", "{\"schema_version\": 2}"), 200);
        assertThat(upgraded.path("schema_version").asInt()).isEqualTo(2);
        assertThat(upgraded.path("previous_version").asInt()).isEqualTo(1);
        assertThat(upgraded.path("changed").asBoolean()).isTrue();
        assertThat(upgraded.path("columns").findValuesAsText("name")).endsWith("referrer").hasSize(6);
        assertThat(columnType(upgraded, "ms")).isEqualTo("long");
        assertThat(expect(keyPost(key, "/v1/datasets/bucketed/upgrade", "{\"schema_version\": 2}"), 200).path("changed").asBoolean()).isFalse();
        assertProblem(keyPost(key, "/v1/datasets/bucketed/upgrade", "{\"schema_version\": 1}"), 409, "schema-downgrade");
        assertProblem(keyPost(key, "/v1/datasets/bucketed/upgrade", "{}"), 400, "missing-field");

        // The operator mirror reaches the same dataset.
        assertThat(expect(operatorGet("/admin/v1/tenants/" + t[0] + "/datasets/bucketed"), 200).path("schema_version").asInt()).isEqualTo(2);
    }

    static String columnType(JsonNode dataset, String column) {
        for (JsonNode c : dataset.path("columns")) {
            if (c.path("name").asText().equals(column)) {
                return c.path("type").asText();
            }
        }
        throw new AssertionError("no column " + column + " in " + dataset);
    }

    @Test
    void badDatasetRequestsAreRefused() {
        String[] t = tenantWithManageKey();
        String key = t[1];
        assertProblem(keyPost(key, "/v1/datasets", "{\"slug\": \"orphans\", \"schema\": \"no-such-schema\"}"), 404, "schema-not-found");
        assertProblem(keyGet(key, "/v1/datasets/no-such-dataset"), 404, "dataset-not-found");
        assertProblem(keyPost(key, "/v1/datasets/no-such-dataset/upgrade", "{\"schema_version\": 2}"), 404, "dataset-not-found");
        assertProblem(keyPost(key, "/v1/datasets", "{\"slug\": \"b-1\", \"schema\": \"clicks\", \"bucket\": {\"field\": \"nope\"}}"),
                400, "invalid-bucket");
        assertProblem(keyPost(key, "/v1/datasets", "{\"slug\": \"web-clicks\", \"schema\": \"clicks\"}"), 409, "duplicate-dataset");
        assertProblem(keyPost(key, "/v1/datasets", "{\"slug\": \"x\", \"schema\": \"clicks\"}"), 400, "invalid-slug");
    }
}
