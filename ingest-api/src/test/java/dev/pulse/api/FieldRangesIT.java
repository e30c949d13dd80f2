package dev.pulse.api;

import static dev.pulse.api.EventsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The documented ranges of request fields, over HTTP: each value the lake or the database cannot
 * hold is a 400 whose problem names the field; the 500s found by a hostile run are 400s now.
 */
class FieldRangesIT {
    static final String SCHEMA = """
            {"type": "object", "properties": {"page": {"type": "string"}, "ms": {"type": "integer"}, "page_name": {"type": "string"}}}""";

    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    static String token;
    static String manageKey;
    static String ingestKey;
    static String slug;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        // The time bounds wide open, so that the years a table can hold (0001 to 9999) are what is checked here;
        // the default bounds (2000-01-01 to now + 1 h) are EnvelopeIT's.
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of(
                PulseKeys.EVENT_TIME_FLOOR.name(), "0001-01-01T00:00:00Z", PulseKeys.EVENT_TIME_MAX_SKEW.name(), "P3000000D"))));
        http = new ApiClient(api.port());
        token = stack.environment().get("PULSE_OPERATOR_TOKEN");
        TestStack.TenantWithDataset tenant = stack.newTenantWithDataset("clicks", SCHEMA, Partitioning.DAY, Scope.MANAGE, Scope.INGEST);
        manageKey = tenant.key();
        ingestKey = tenant.key();
        slug = tenant.tenant().slug();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static ApiClient.Response keyPost(String path, String body) {
        return http.post(path, body, "Authorization", "Bearer " + manageKey, "Content-Type", "application/json");
    }

    static void assertNamesField(ApiClient.Response response, String code, String field) {
        assertProblem(response, 400, code);
        JsonNode errors = response.json().path("errors");
        assertThat(errors.isArray()).as(response.body()).isTrue();
        assertThat(errors.get(0).path("field").asText()).isEqualTo(field);
    }

    static String json(ObjectNode node) {
        return node.toString();
    }

    @Test
    void theThreeKeyRequestsThatWere500sAre400sNamingTheField() {
        ObjectNode farExpiry = ApiClient.MAPPER.createObjectNode().put("expires_at", "+999999999-12-31T23:59:59Z");
        farExpiry.putArray("scopes").add("ingest");
        assertNamesField(keyPost("/v1/keys", json(farExpiry)), "invalid-expiry", "expires_at");

        ObjectNode longName = ApiClient.MAPPER.createObjectNode().put("name", "n".repeat(100_000));
        longName.putArray("scopes").add("ingest");
        ApiClient.Response tooLong = keyPost("/v1/keys", json(longName));
        assertNamesField(tooLong, "invalid-name", "name");
        assertThat(tooLong.body().length()).as("the detail does not echo 100,000 characters").isLessThan(2_000);

        ObjectNode nul = ApiClient.MAPPER.createObjectNode().put("name", "a\u0000b");
        nul.putArray("scopes").add("ingest");
        assertNamesField(keyPost("/v1/keys", json(nul)), "invalid-name", "name");

        ObjectNode loneSurrogate = ApiClient.MAPPER.createObjectNode().put("name", "a\ud800b");
        loneSurrogate.putArray("scopes").add("ingest");
        assertNamesField(keyPost("/v1/keys", "{\"name\": \"a\\ud800b\", \"scopes\": [\"ingest\"]}"), "invalid-name", "name");
    }

    @Test
    void expiryUpToTenYearsAheadIsAccepted() {
        String inNineYears = java.time.Instant.now().plus(java.time.Duration.ofDays(9 * 365)).toString();
        ApiClient.Response ok = keyPost("/v1/keys", "{\"name\": \"nine years\", \"scopes\": [\"ingest\"], \"expires_at\": \"" + inNineYears + "\"}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        String inElevenYears = java.time.Instant.now().plus(java.time.Duration.ofDays(11 * 365)).toString();
        assertNamesField(keyPost("/v1/keys", "{\"scopes\": [\"ingest\"], \"expires_at\": \"" + inElevenYears + "\"}"), "invalid-expiry", "expires_at");
    }

    @Test
    void rotationGraceOutOfRangeNamesTheField() {
        String keyId = keyPost("/v1/keys", "{\"scopes\": [\"ingest\"]}").json().path("key_id").asText();
        assertNamesField(keyPost("/v1/keys/" + keyId + "/rotate", "{\"grace_seconds\": 604801}"), "invalid-grace", "grace_seconds");
        assertNamesField(keyPost("/v1/keys/" + keyId + "/rotate", "{\"grace_seconds\": 99999999999999999999}"), "invalid-field", "grace_seconds");
    }

    @Test
    void anEventTimeOutsideYearsOneToNineThousandNineHundredNinetyNineIsRefusedNamingTimestamp() {
        for (String time : new String[] {"+292278994-08-17T07:12:55Z", "+10000-01-01T00:00:00Z", "0000-12-31T23:59:59Z",
                "9999-12-31T23:59:59-01:00"}) {
            ApiClient.Response response = http.ingest(ingestKey,
                    "{\"dataset\": \"clicks\", \"timestamp\": \"" + time + "\", \"data\": {\"page\": \"/\"}}");
            assertProblem(response, 400, "invalid-events");
            assertThat(response.json().path("errors").get(0).path("field").asText()).as(time).isEqualTo("timestamp");
        }
        ApiClient.Response edges = http.ingest(ingestKey, """
                [{"dataset": "clicks", "timestamp": "0001-01-01T00:00:00Z", "data": {"page": "/"}},
                 {"dataset": "clicks", "timestamp": "9999-12-31T23:59:59.999999999Z", "data": {"page": "/"}}]""");
        assertThat(edges.status()).as(edges.body()).isEqualTo(202);
    }

    @Test
    void tenantFieldsAreBoundedAndNamed() {
        String newSlug = "fr-" + UUID.randomUUID().toString().substring(0, 8);
        ApiClient.Response nul = http.admin(token, "/admin/v1/tenants", "{\"slug\": \"" + newSlug + "\", \"name\": \"x\\u0000\"}");
        assertNamesField(nul, "invalid-name", "name");
        assertNamesField(http.admin(token, "/admin/v1/tenants", "{\"slug\": \"" + newSlug + "\", \"name\": \"" + "n".repeat(201) + "\"}"),
                "invalid-name", "name");
        assertNamesField(http.admin(token, "/admin/v1/tenants", "{\"slug\": \"" + newSlug + "\", \"tier\": \"gold\\u0000\"}"),
                "invalid-tier", "tier");
        assertNamesField(http.admin(token, "/admin/v1/tenants", "{\"slug\": \"bad\\u0000slug\"}"), "invalid-slug", "slug");
        assertThat(http.admin(token, "/admin/v1/tenants", "{\"slug\": \"" + newSlug + "\", \"name\": \"" + "é".repeat(200) + "\"}").status())
                .isEqualTo(201);
    }

    @Test
    void schemaAndDatasetFieldsAreBoundedAndNamed() {
        assertNamesField(keyPost("/v1/schemas", "{\"name\": \"x\\u0000\", \"definition\": " + SCHEMA + "}"), "invalid-schema-name", "name");
        assertNamesField(keyPost("/v1/schemas", "{\"name\": \"lone\", \"definition\": {\"type\": \"object\", \"description\": \"\\udc00\","
                + " \"properties\": {\"a\": {\"type\": \"string\"}}}}"), "invalid-schema-text", "definition");
        String big = "{\"type\": \"object\", \"description\": \"" + "d".repeat(300 * 1024) + "\", \"properties\": {\"a\": {\"type\": \"string\"}}}";
        assertNamesField(keyPost("/v1/schemas", "{\"name\": \"big\", \"definition\": " + big + "}"), "schema-too-large", "definition");
        assertNamesField(keyPost("/v1/schemas", "{\"name\": \"clicks\", \"definition\": " + SCHEMA + ", \"compatibility\": \"x\\u0000\"}"),
                "invalid-compatibility", "compatibility");

        assertNamesField(keyPost("/v1/datasets", "{\"slug\": \"a\\u0000bc\", \"schema\": \"clicks\"}"), "invalid-slug", "slug");
        assertNamesField(keyPost("/v1/datasets", "{\"slug\": \"other\", \"schema\": \"x\\u0000\"}"), "invalid-schema-name", "schema");
        assertNamesField(keyPost("/v1/datasets", "{\"slug\": \"other\", \"schema\": \"clicks\", \"partitioning\": \"week\"}"),
                "invalid-partitioning", "partitioning");
        assertNamesField(keyPost("/v1/datasets", "{\"slug\": \"other\", \"schema\": \"clicks\", \"bucket\": {\"field\": \"p\\u0000\"}}"),
                "invalid-bucket", "bucket.field");
        assertNamesField(keyPost("/v1/datasets", "{\"slug\": \"other\", \"schema\": \"clicks\", \"bucket\": {\"field\": \"page\", \"count\": 0}}"),
                "invalid-field", "bucket.count");
        assertNamesField(keyPost("/v1/datasets", "{\"slug\": \"other\", \"schema\": \"clicks\", \"bucket\": {\"field\": \"page\", \"count\": 4096}}"),
                "invalid-bucket", "bucket.count");
    }

    @Test
    void aNulInAPathIsAProblemDocumentNeverAnSqlError() {
        // Jetty refuses an encoded NUL in a path before routing: answered as a problem document, and the
        // connection closed, so each of these goes on a connection of its own (ApiClient.onNewConnections).
        ApiClient alone = http.onNewConnections();
        assertProblem(alone.get("/v1/schemas/a%00b", "Authorization", "Bearer " + manageKey), 400, "http-400");
        assertProblem(alone.get("/v1/datasets/a%00b", "Authorization", "Bearer " + manageKey), 400, "http-400");
        // No body: Jetty rejects the request line before reading a body, and closing a socket with unread bytes
        // in it resets the connection, which can discard the 400 before the client reads it (a flaky CI run).
        assertProblem(alone.post("/v1/keys/a%00b/revoke", "", "Authorization", "Bearer " + manageKey, "Content-Type", "application/json"),
                400, "http-400");
        // In a query it reaches the handler, which never passes it to SQL.
        assertProblem(http.get("/admin/v1/audit?tenant=a%00b", "Authorization", "Bearer " + token), 404, "tenant-not-found");
        // Names that cannot exist are simply unknown.
        assertProblem(http.get("/v1/schemas/" + "s".repeat(500), "Authorization", "Bearer " + manageKey), 404, "schema-not-found");
        assertProblem(http.get("/v1/schemas/%E2%80%A8/versions/1", "Authorization", "Bearer " + manageKey), 404, "schema-not-found");
    }

    @Test
    void aParserLimitOtherThanNestingIsNotCalledTooDeep() {
        ApiClient.Response response = http.ingest(ingestKey, "{\"dataset\": \"clicks\", \"data\": {\"ms\": " + "9".repeat(5000) + "}}");
        assertProblem(response, 400, "json-value-too-long");
    }
}
