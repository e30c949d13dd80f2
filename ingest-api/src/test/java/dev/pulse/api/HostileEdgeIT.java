package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.testing.HostileInput;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property tests of the HTTP edge on the real stack: hostile events, key, schema, dataset and
 * tenant bodies, rotations and path segments (generators in {@link HostileInput}). Whatever is
 * sent, the answer is never a 5xx, and every refusal is a problem document with a stable type.
 * Tries are bounded so that the class runs in well under a minute.
 */
class HostileEdgeIT {
    static final Pattern STABLE_TYPE = Pattern.compile("https://pulse\\.dev/problems/[a-z0-9-]+");
    static final String SCHEMA = """
            {"type": "object", "properties": {"page": {"type": "string"}, "ms": {"type": "integer", "format": "int32"},
             "at": {"type": "string", "format": "date-time"}, "ok": {"type": "boolean"}, "score": {"type": "number"},
             "tags": {"type": "array", "items": {"type": "string"}}}}""";
    static final List<String> FIELDS = List.of("page", "ms", "at", "ok", "score", "tags");

    static IngestApi api;
    static ApiClient http;
    static String operatorToken;
    static String manageKey;
    static String keyId;

    @BeforeContainer
    static void start() {
        TestStack stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of())));
        http = new ApiClient(api.port());
        operatorToken = stack.environment().get("PULSE_OPERATOR_TOKEN");
        manageKey = stack.newTenantWithDataset("clicks", SCHEMA, Partitioning.DAY, Scope.MANAGE, Scope.INGEST).key();
        keyId = manageKey.split("_")[1];
    }

    @AfterContainer
    static void stop() {
        api.close();
    }

    /** Never a 5xx; a refusal is application/problem+json whose type is stable and whose status matches. */
    static void assertAnswered(ApiClient.Response response, Set<Integer> allowed) {
        assertThat(response.status()).as(response.body()).isLessThan(500).isIn(allowed);
        if (response.status() >= 400) {
            assertThat(response.contentType()).as(response.body()).startsWith("application/problem+json");
            JsonNode problem = response.json();
            assertThat(problem.path("type").asText()).as(response.body()).matches(STABLE_TYPE);
            assertThat(problem.path("status").asInt()).isEqualTo(response.status());
            assertThat(problem.path("detail").asText()).isNotBlank();
        }
    }

    static ApiClient.Response keyPost(String path, String body) {
        return http.post(path, body.getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + manageKey,
                "Content-Type", "application/json");
    }

    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Property(tries = 100)
    void hostileEventBatchesAreAcceptedOrRefusedNeverFailed(@ForAll("eventBatches") ArrayNode batch) {
        JsonNode body = batch.size() == 1 && batch.get(0).isObject() ? batch.get(0) : batch;
        assertAnswered(http.ingest(manageKey, body.toString()), Set.of(202, 400, 404, 413));
    }

    @Property(tries = 60)
    void arbitraryBytesAsAnEventBodyAreRefusedNeverFailed(@ForAll("rawBodies") byte[] body) {
        assertAnswered(http.post("/v1/events", body, "Authorization", "Bearer " + manageKey, "Content-Type", "application/json"),
                Set.of(202, 400, 404, 413));
    }

    @Property(tries = 100)
    void hostileKeyBodies(@ForAll("keyBodies") ObjectNode body) {
        assertAnswered(keyPost("/v1/keys", body.toString()), Set.of(201, 400));
    }

    @Property(tries = 40)
    void hostileRotations(@ForAll("rotateBodies") ObjectNode body, @ForAll("pathSegments") String id) {
        // Rotating the test's own key would end it: rotate a fresh key, or a hostile id.
        String target = id.length() % 2 == 0
                ? keyPost("/v1/keys", "{\"scopes\": [\"query\"]}").json().path("key_id").asText() : segment(id);
        assertAnswered(keyPost("/v1/keys/" + target + "/rotate", body.toString()), Set.of(201, 400, 404, 409));
    }

    @Property(tries = 100)
    void hostileSchemaBodies(@ForAll("schemaBodies") ObjectNode body) {
        assertAnswered(keyPost("/v1/schemas", body.toString()), Set.of(200, 201, 400, 404, 409));
    }

    @Property(tries = 60)
    void hostileDatasetBodies(@ForAll("datasetBodies") ObjectNode body) {
        assertAnswered(keyPost("/v1/datasets", body.toString()), Set.of(201, 400, 404, 409));
    }

    @Property(tries = 25)
    void hostileTenantBodies(@ForAll("tenantBodies") ObjectNode body, @ForAll("actors") String actor) {
        assertAnswered(http.post("/admin/v1/tenants", body.toString().getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + operatorToken,
                "Content-Type", "application/json", "X-Pulse-Actor", actor), Set.of(200, 201, 400, 409));
    }

    @Property(tries = 60)
    void hostilePathsAndQueries(@ForAll("pathSegments") String first, @ForAll("pathSegments") String second) {
        String a = segment(first);
        String b = segment(second);
        Set<Integer> allowed = Set.of(200, 400, 404);
        // Jetty refuses some encoded segments (an encoded NUL) before routing: it answers 400 and
        // closes the connection, which a pooled connection can meet half-done, and the JDK client
        // retries a GET then but never a POST ("header parser received no bytes", two red CI runs).
        // So each request goes on a connection of its own, as in FieldRangesIT.
        ApiClient alone = http.onNewConnections();
        assertAnswered(alone.get("/v1/schemas/" + a, "Authorization", "Bearer " + manageKey), allowed);
        assertAnswered(alone.get("/v1/schemas/" + a + "/versions/" + b, "Authorization", "Bearer " + manageKey), allowed);
        assertAnswered(alone.get("/v1/datasets/" + a, "Authorization", "Bearer " + manageKey), allowed);
        // No body, as FieldRangesIT: closing a socket with unread bytes resets it, which can discard the 400.
        assertAnswered(alone.post("/v1/keys/" + a + "/revoke", "", "Authorization", "Bearer " + manageKey, "Content-Type", "application/json"),
                allowed);
        assertAnswered(alone.get("/admin/v1/tenants/" + a, "Authorization", "Bearer " + operatorToken), allowed);
        assertAnswered(alone.get("/admin/v1/audit?tenant=" + a + "&limit=" + b, "Authorization", "Bearer " + operatorToken), allowed);
    }

    @Provide
    Arbitrary<ArrayNode> eventBatches() {
        Arbitrary<ObjectNode> data = HostileInput.object(FIELDS, List.of(
                HostileInput.member(HostileInput.hostileText().map(ApiClient.MAPPER.getNodeFactory()::textNode), HostileInput.hostileScalar()),
                HostileInput.member(Arbitraries.integers().map(ApiClient.MAPPER.getNodeFactory()::numberNode), HostileInput.hostileScalar()),
                HostileInput.member(HostileInput.dateTimeText().map(ApiClient.MAPPER.getNodeFactory()::textNode), HostileInput.hostileScalar()),
                HostileInput.member(Arbitraries.of(true, false).map(ApiClient.MAPPER.getNodeFactory()::booleanNode), HostileInput.hostileScalar()),
                HostileInput.member(Arbitraries.doubles().map(ApiClient.MAPPER.getNodeFactory()::numberNode), HostileInput.hostileScalar()),
                HostileInput.member(HostileInput.hostileValue(2), HostileInput.hostileValue(2))));
        return HostileInput.event("clicks", () -> data).list().ofMinSize(1).ofMaxSize(5).map(events -> {
            ArrayNode array = ApiClient.MAPPER.createArrayNode();
            events.forEach(array::add);
            return array;
        });
    }

    @Provide
    Arbitrary<byte[]> rawBodies() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.of("{", "[", "[]", "{}", "null", "\"x\"", "{\"dataset\": \"clicks\", \"data\": {}}x", "\u0000",
                        "{\"dataset\": \"clicks\", \"data\": {\"page\": \"\\ud800\"}}", "[" + "[".repeat(100) + "]".repeat(100) + "]")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.just(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}));
    }

    @Provide
    Arbitrary<ObjectNode> keyBodies() {
        return HostileInput.keyBody();
    }

    @Provide
    Arbitrary<ObjectNode> rotateBodies() {
        return HostileInput.rotateBody();
    }

    @Provide
    Arbitrary<ObjectNode> schemaBodies() {
        return HostileInput.schemaBody();
    }

    @Provide
    Arbitrary<ObjectNode> datasetBodies() {
        return HostileInput.datasetBody("clicks", FIELDS);
    }

    @Provide
    Arbitrary<ObjectNode> tenantBodies() {
        return HostileInput.tenantBody();
    }

    @Provide
    Arbitrary<String> pathSegments() {
        return HostileInput.pathSegment();
    }

    /** X-Pulse-Actor values an HTTP client can send (java.net.http refuses control characters in headers). */
    @Provide
    Arbitrary<String> actors() {
        return Arbitraries.oneOf(Arbitraries.of("alice", "bob@example.com", "x".repeat(500), "a b", "élodie", "';--"),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(80));
    }
}
