package dev.pulse.api;

import static dev.pulse.api.ControlPlaneIT.expect;
import static dev.pulse.api.EventsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.control.testing.TestStack;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The schema registry over HTTP with the validation keywords: a tracking plan using them is
 * accepted, keywords that would change a column's shape and references outside the document are a
 * 400 naming them, BACKWARD compatibility refuses tightening and accepts loosening, and one
 * tenant can neither register into another nor reach another's schemas through {@code $ref}.
 */
class SchemaKeywordsIT {
    static final String PLAN = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "$defs": {"sku": {"type": "string", "maxLength": 12, "pattern": "^[A-Z]{2}-[0-9]+$"}},
             "properties": {"sku": {"$ref": "#/$defs/sku"}, "qty": {"type": "integer", "minimum": 1, "maximum": 100},
                            "kind": {"type": "string", "const": "order"}}}""";

    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    static String token;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of())));
        http = new ApiClient(api.port());
        token = stack.environment().get("PULSE_OPERATOR_TOKEN");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** A fresh tenant and its manage key: {slug, key}. */
    static String[] tenant() {
        String slug = "sk-" + UUID.randomUUID().toString().substring(0, 8);
        expect(http.admin(token, "/admin/v1/tenants", "{\"slug\": \"" + slug + "\"}"), 201);
        String key = expect(http.admin(token, "/admin/v1/tenants/" + slug + "/keys", "{\"scopes\": [\"manage\"]}"), 201).path("key").asText();
        return new String[] {slug, key};
    }

    static ApiClient.Response register(String key, String name, String definition) {
        return http.post("/v1/schemas", "{\"name\": \"" + name + "\", \"definition\": " + definition + "}",
                "Authorization", "Bearer " + key, "Content-Type", "application/json");
    }

    static String plan(String qty) {
        return PLAN.replace("{\"type\": \"integer\", \"minimum\": 1, \"maximum\": 100}", qty);
    }

    @Test
    void aTrackingPlanWithValidationKeywordsAndDefinitionsIsAccepted() {
        String key = tenant()[1];
        JsonNode registered = expect(register(key, "order", PLAN), 201);
        assertThat(registered.path("version").asInt()).isEqualTo(1);
    }

    @Test
    void keywordsThatWouldChangeAColumnsShapeAreA400NamingThem() {
        String key = tenant()[1];
        for (String keyword : new String[] {"oneOf", "anyOf", "allOf"}) {
            ApiClient.Response response = register(key, "shapes", "{\"type\": \"object\", \"properties\": {\"id\": {\"" + keyword
                    + "\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}}}");
            assertProblem(response, 400, "unsupported-schema");
            assertThat(response.detail()).contains("/properties/id/" + keyword).contains("'" + keyword + "'");
        }
        ApiClient.Response conditional = register(key, "shapes", "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}},"
                + " \"if\": {\"properties\": {\"a\": {\"const\": \"x\"}}}, \"then\": {\"required\": [\"a\"]}}");
        assertProblem(conditional, 400, "unsupported-schema");
        assertThat(conditional.detail()).contains("/if");
        ApiClient.Response patternProperties = register(key, "shapes", "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}},"
                + " \"patternProperties\": {\"^n_\": {\"type\": \"number\"}}}");
        assertProblem(patternProperties, 400, "unsupported-schema");
        assertThat(patternProperties.detail()).contains("/patternProperties");
        ApiClient.Response backreference = register(key, "shapes", "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\","
                + " \"pattern\": \"^(a)\\\\1$\"}}}");
        assertProblem(backreference, 400, "unsupported-schema");
        assertThat(backreference.detail()).contains("/properties/a/pattern").contains("linear time");
    }

    @Test
    void tighteningABoundIs409AndLooseningIsANewVersion() {
        String key = tenant()[1];
        expect(register(key, "order", PLAN), 201);
        ApiClient.Response tighter = register(key, "order", plan("{\"type\": \"integer\", \"minimum\": 2, \"maximum\": 100}"));
        assertProblem(tighter, 409, "incompatible-schema");
        assertThat(tighter.detail()).contains("/properties/qty").contains("minimum");
        ApiClient.Response newPattern = register(key, "order", PLAN.replace("^[A-Z]{2}-[0-9]+$", "^[A-Z]{3}-[0-9]+$"));
        assertProblem(newPattern, 409, "incompatible-schema");
        assertThat(newPattern.detail()).contains("pattern");
        ApiClient.Response looser = register(key, "order", plan("{\"type\": \"integer\", \"minimum\": 0}"));
        assertThat(expect(looser, 201).path("version").asInt()).isEqualTo(2);
    }

    @Test
    void aReferenceCannotReachAnotherSchemaOrTenantAndNoTenantRegistersIntoAnother() {
        String[] a = tenant();
        String[] b = tenant();
        expect(register(a[1], "secret", PLAN), 201);
        JsonNode aTenant = expect(http.get("/admin/v1/tenants/" + a[0], "Authorization", "Bearer " + token), 200);
        String aId = aTenant.path("id").asText();
        for (String ref : new String[] {"secret", "secret#/$defs/sku", "/v1/schemas/secret/versions/1",
            "pulse://" + aId + "/schemas/secret", "https://example.com/schemas/secret.json", "#/$defs/sku"}) {
            ApiClient.Response response = register(b[1], "thief", "{\"type\": \"object\", \"properties\": {\"x\": {\"$ref\": \"" + ref + "\"}}}");
            assertProblem(response, 400, "unsupported-schema");
            assertThat(response.detail()).as(ref).contains("/properties/x/$ref").contains("another tenant's");
        }
        // B's manage key cannot reach A's operator path, and a schema B registers is B's alone.
        ApiClient.Response intoA = http.post("/admin/v1/tenants/" + a[0] + "/schemas", "{\"name\": \"secret\", \"definition\": " + PLAN + "}",
                "Authorization", "Bearer " + b[1], "Content-Type", "application/json");
        assertThat(intoA.status()).isEqualTo(401);
        expect(register(b[1], "secret", plan("{\"type\": \"integer\"}")), 201);
        JsonNode aSchema = expect(http.get("/v1/schemas/secret", "Authorization", "Bearer " + a[1]), 200);
        assertThat(aSchema.path("latest_version").asInt()).isEqualTo(1);
        assertThat(aSchema.path("definition").path("properties").path("qty").path("minimum").asInt()).isEqualTo(1);
    }
}
