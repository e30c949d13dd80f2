package dev.pulse.api;

import static dev.pulse.api.EventsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator endpoints, exactly as the CLI calls them. */
class AdminIT {
    static final String SCHEMA = """
            {"type": "object", "properties": {"page": {"type": "string"}, "ms": {"type": "integer"}}, "required": ["page"]}""";

    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    static String token;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of("PULSE_TOPIC_PARTITIONS", "2", PulseKeys.TOPIC_PARTITIONS_ENTERPRISE.name(), "4"))));
        http = new ApiClient(api.port());
        token = stack.environment().get("PULSE_OPERATOR_TOKEN");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static String newSlug() {
        return "op-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A tenant created through the API, returned as its JSON. */
    static JsonNode createTenant(String slug) {
        var response = http.admin(token, "/admin/v1/tenants", "{\"slug\": \"" + slug + "\", \"name\": \"Acme\", \"tier\": \"enterprise\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    static void registerSchema(String slug) {
        var response = http.admin(token, "/admin/v1/tenants/" + slug + "/schemas", "{\"name\": \"clicks\", \"definition\": " + SCHEMA + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    @Test
    void operatorRoutesWithoutOrWithAWrongTokenAre401() {
        String body = "{\"slug\": \"" + newSlug() + "\"}";
        assertProblem(http.post("/admin/v1/tenants", body, "Content-Type", "application/json"), 401, "unauthorized");
        assertProblem(http.admin(token + "x", "/admin/v1/tenants", body), 401, "unauthorized");
        assertProblem(http.admin("pulse_0123456789abcdef_" + "A".repeat(43), "/admin/v1/tenants", body), 401, "unauthorized");
        assertProblem(http.get("/admin/v1/tenants/whoever"), 401, "unauthorized");
    }

    @Test
    void creatingATenantProvisionsItsTopicsAndNamespace() throws Exception {
        String slug = newSlug();
        JsonNode tenant = createTenant(slug);

        assertThat(tenant.path("slug").asText()).isEqualTo(slug);
        assertThat(tenant.path("name").asText()).isEqualTo("Acme");
        assertThat(tenant.path("tier").asText()).isEqualTo("enterprise");
        assertThat(tenant.path("status").asText()).isEqualTo("active");
        assertThat(Instant.parse(tenant.path("created_at").asText())).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(2, ChronoUnit.MINUTES));
        TenantId id = TenantId.parse(tenant.path("id").asText());
        // The topics exist when the 201 is sent (the controller committed them); a second client
        // may still see the broker's metadata a moment behind, so wait for that, briefly.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(stack.kafkaAdmin().listTopics().names().get()).contains(Topics.raw(id), Topics.dlq(id)));
        assertThat(stack.kafkaAdmin().describeTopics(List.of(Topics.raw(id))).allTopicNames().get().get(Topics.raw(id)).partitions())
                .hasSize(4);
        assertThat(stack.catalog().namespaceExists(LakeNames.namespace(id))).isTrue();

        var fetched = http.get("/admin/v1/tenants/" + slug, "Authorization", "Bearer " + token);
        assertThat(fetched.status()).isEqualTo(200);
        // Showing a tenant adds what the worker holds back (nothing, for a new tenant) and its own
        // snapshot retention (none: its tier's default).
        com.fasterxml.jackson.databind.node.ObjectNode withoutIngest = (com.fasterxml.jackson.databind.node.ObjectNode) fetched.json().deepCopy();
        withoutIngest.remove("ingest");
        assertThat(withoutIngest.remove("snapshot_retention").isNull()).isTrue();
        assertThat((JsonNode) withoutIngest).isEqualTo(tenant);
        assertThat(fetched.json().path("ingest").isArray()).isTrue();
        assertThat(fetched.json().path("ingest")).isEmpty();
    }

    @Test
    void showingATenantTellsWhatTheWorkerHoldsBackForItAndOnlyForIt() {
        String slug = newSlug();
        String other = newSlug();
        TenantId id = TenantId.parse(createTenant(slug).path("id").asText());
        createTenant(other);
        Instant since = Instant.parse("2026-03-01T10:00:00Z");
        stack.db().inTenant(id, tx -> {
            dev.pulse.schemas.directory.IngestStatus.recordPaused(tx, "clicks", "NotFoundException: metadata file gone", since, 3,
                    since.plusSeconds(8));
            return null;
        });
        try {
            JsonNode shown = http.get("/admin/v1/tenants/" + slug, "Authorization", "Bearer " + token).json();
            assertThat(shown.path("ingest")).hasSize(1);
            JsonNode status = shown.path("ingest").get(0);
            assertThat(status.path("dataset").asText()).isEqualTo("clicks");
            assertThat(status.path("state").asText()).isEqualTo("paused");
            assertThat(status.path("reason").asText()).contains("metadata file gone");
            assertThat(status.path("failing_since").asText()).isEqualTo(since.toString());
            assertThat(status.path("failures").asInt()).isEqualTo(3);
            assertThat(status.path("retry_at").asText()).isEqualTo(since.plusSeconds(8).toString());
            assertThat(http.get("/admin/v1/tenants/" + other, "Authorization", "Bearer " + token).json().path("ingest")).isEmpty();
        } finally {
            stack.db().inTenant(id, dev.pulse.schemas.directory.IngestStatus::clear);
        }
    }

    @Test
    void aDuplicateSlugIs409AndAnInvalidSlugOrTierIs400() {
        String slug = newSlug();
        createTenant(slug);
        assertProblem(http.admin(token, "/admin/v1/tenants", "{\"slug\": \"" + slug + "\"}"), 409, "duplicate-slug");
        assertProblem(http.admin(token, "/admin/v1/tenants", "{\"slug\": \"Bad Slug!\"}"), 400, "invalid-slug");
        assertProblem(http.admin(token, "/admin/v1/tenants", "{\"slug\": \"" + newSlug() + "\", \"tier\": \"gold\"}"), 400, "invalid-tier");
        assertProblem(http.admin(token, "/admin/v1/tenants", "{\"name\": \"no slug\"}"), 400, "missing-field");
        assertProblem(http.admin(token, "/admin/v1/tenants", "{\"slug\": "), 400, "malformed-json");
    }

    @Test
    void anUnknownTenantIs404OnEveryTenantRoute() {
        String slug = newSlug();
        assertProblem(http.get("/admin/v1/tenants/" + slug, "Authorization", "Bearer " + token), 404, "tenant-not-found");
        assertProblem(http.admin(token, "/admin/v1/tenants/" + slug + "/keys", "{\"scopes\": [\"ingest\"]}"), 404, "tenant-not-found");
        assertProblem(http.admin(token, "/admin/v1/tenants/" + slug + "/schemas", "{\"name\": \"s\", \"definition\": " + SCHEMA + "}"),
                404, "tenant-not-found");
        assertProblem(http.admin(token, "/admin/v1/tenants/" + slug + "/datasets", "{\"slug\": \"clicks\", \"schema\": \"s\"}"),
                404, "tenant-not-found");
    }

    @Test
    void aKeyIsShownOnceAndWorksForIngestingIntoANewDataset() {
        String slug = newSlug();
        createTenant(slug);
        registerSchema(slug);
        var dataset = http.admin(token, "/admin/v1/tenants/" + slug + "/datasets", "{\"slug\": \"web-clicks\", \"schema\": \"clicks\"}");
        assertThat(dataset.status()).as(dataset.body()).isEqualTo(201);

        // Expiry is at most ten years ahead (KeyExpiry): eight years from now, whole seconds.
        String expiresAt = java.time.Instant.now().plus(java.time.Duration.ofDays(8 * 365)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        var created = http.admin(token, "/admin/v1/tenants/" + slug + "/keys",
                "{\"name\": \"producer\", \"scopes\": [\"ingest\", \"query\"], \"expires_at\": \"" + expiresAt + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode key = created.json();
        assertThat(key.path("key").asText()).startsWith("pulse_" + key.path("key_id").asText() + "_");
        assertThat(key.path("name").asText()).isEqualTo("producer");
        assertThat(key.path("scopes").toString()).isEqualTo("[\"ingest\",\"query\"]");
        assertThat(key.path("expires_at").asText()).isEqualTo(expiresAt);

        var ingest = http.ingest(key.path("key").asText(), "{\"dataset\": \"web-clicks\", \"data\": {\"page\": \"/\"}}");
        assertThat(ingest.status()).as(ingest.body()).isEqualTo(202);
    }

    @Test
    void aKeyWithoutExpiryHasANullExpiry() {
        String slug = newSlug();
        createTenant(slug);
        var created = http.admin(token, "/admin/v1/tenants/" + slug + "/keys", "{\"scopes\": [\"manage\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("expires_at").isNull()).isTrue();
    }

    @Test
    void anUnknownOrMissingScopeIs400NamingIt() {
        String slug = newSlug();
        createTenant(slug);
        var unknown = http.admin(token, "/admin/v1/tenants/" + slug + "/keys", "{\"scopes\": [\"ingest\", \"superpowers\"]}");
        assertProblem(unknown, 400, "unknown-scope");
        assertThat(unknown.detail()).contains("superpowers");
        assertProblem(http.admin(token, "/admin/v1/tenants/" + slug + "/keys", "{\"scopes\": []}"), 400, "invalid-scopes");
        assertProblem(http.admin(token, "/admin/v1/tenants/" + slug + "/keys", "{\"name\": \"k\"}"), 400, "missing-field");
        assertProblem(http.admin(token, "/admin/v1/tenants/" + slug + "/keys", "{\"scopes\": [\"ingest\"], \"expires_at\": \"2000-01-01T00:00:00Z\"}"),
                400, "invalid-expiry");
    }

    @Test
    void registeringASchemaIsVersionedIdempotentAndCheckedForCompatibility() {
        String slug = newSlug();
        createTenant(slug);
        String path = "/admin/v1/tenants/" + slug + "/schemas";

        var first = http.admin(token, path, "{\"name\": \"clicks\", \"definition\": " + SCHEMA + "}");
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.json().path("version").asInt()).isEqualTo(1);
        assertThat(first.json().path("created").asBoolean()).isTrue();
        assertThat(first.json().path("fingerprint").asText()).hasSize(64);

        var again = http.admin(token, path, "{\"name\": \"clicks\", \"definition\": " + SCHEMA + "}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("created").asBoolean()).isFalse();
        assertThat(again.json().path("version").asInt()).isEqualTo(1);

        var evolved = http.admin(token, path, """
                {"name": "clicks", "definition": {"type": "object", "properties": {"page": {"type": "string"}, "ms": {"type": "integer"},
                 "referrer": {"type": "string"}}, "required": ["page"]}}""");
        assertThat(evolved.status()).as(evolved.body()).isEqualTo(201);
        assertThat(evolved.json().path("version").asInt()).isEqualTo(2);

        var incompatible = http.admin(token, path, """
                {"name": "clicks", "definition": {"type": "object", "properties": {"page": {"type": "integer"}}, "required": ["page"]}}""");
        assertProblem(incompatible, 409, "incompatible-schema");
        assertThat(incompatible.detail()).contains("/properties/page");
    }

    @Test
    void anUnsupportedSchemaKeywordIs400NamingKeywordAndPointer() {
        String slug = newSlug();
        createTenant(slug);
        var response = http.admin(token, "/admin/v1/tenants/" + slug + "/schemas", """
                {"name": "clicks", "definition": {"type": "object", "properties": {"page": {"type": "string", "contentEncoding": "base64"}}}}""");
        assertProblem(response, 400, "unsupported-schema");
        assertThat(response.detail()).contains("contentEncoding").contains("/properties/page");
        assertProblem(http.admin(token, "/admin/v1/tenants/" + slug + "/schemas", "{\"name\": \"clicks\", \"definition\": \"nope\"}"),
                400, "invalid-field");
    }

    @Test
    void creatingADatasetReturnsItsTableAndRefusesBadInput() {
        String slug = newSlug();
        JsonNode tenant = createTenant(slug);
        registerSchema(slug);
        String path = "/admin/v1/tenants/" + slug + "/datasets";

        var created = http.admin(token, path, "{\"slug\": \"page-views\", \"schema\": \"clicks\", \"schema_version\": 1, \"partitioning\": \"hour\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode dataset = created.json();
        TenantId id = TenantId.parse(tenant.path("id").asText());
        assertThat(dataset.path("slug").asText()).isEqualTo("page-views");
        assertThat(dataset.path("schema").asText()).isEqualTo("clicks");
        assertThat(dataset.path("schema_version").asInt()).isEqualTo(1);
        assertThat(dataset.path("table").asText()).isEqualTo(LakeNames.namespace(id) + ".page_views");
        assertThat(dataset.path("partitioning").asText()).isEqualTo("hour");
        assertThat(dataset.path("row_count").asLong()).isZero();
        assertThat(dataset.path("created_at").asText()).isNotBlank();
        assertThat(stack.catalog().tableExists(LakeNames.table(id, "page-views"))).isTrue();

        assertProblem(http.admin(token, path, "{\"slug\": \"page-views\", \"schema\": \"clicks\"}"), 409, "duplicate-dataset");
        assertProblem(http.admin(token, path, "{\"slug\": \"other\", \"schema\": \"no-such-schema\"}"), 404, "schema-not-found");
        assertProblem(http.admin(token, path, "{\"slug\": \"other\", \"schema\": \"clicks\", \"schema_version\": 9}"), 404, "schema-not-found");
        assertProblem(http.admin(token, path, "{\"slug\": \"Other!\", \"schema\": \"clicks\"}"), 400, "invalid-slug");
        assertProblem(http.admin(token, path, "{\"slug\": \"other\", \"schema\": \"clicks\", \"partitioning\": \"week\"}"), 400, "invalid-partitioning");
        assertProblem(http.admin(token, path, "{\"slug\": \"other\", \"schema\": \"clicks\", \"schema_version\": \"one\"}"), 400, "invalid-field");
    }

    @Test
    void anOperatorBodyWithAWrongMediaTypeIs415() {
        assertProblem(http.post("/admin/v1/tenants", "slug=x", "Authorization", "Bearer " + token,
                "Content-Type", "application/x-www-form-urlencoded"), 415, "unsupported-media-type");
    }
}
