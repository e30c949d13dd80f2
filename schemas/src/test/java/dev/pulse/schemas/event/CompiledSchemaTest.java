package dev.pulse.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.event.EventConverter.Violation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The validation keywords, enforced by networknt's validator on a schema the parser accepted. */
class CompiledSchemaTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TRACKING_PLAN = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/plan/order.json",
             "type": "object",
             "$defs": {"money": {"type": "number", "minimum": 0, "exclusiveMaximum": 1000000, "multipleOf": 0.01},
                       "sku": {"type": "string", "minLength": 3, "maxLength": 12, "pattern": "^[A-Z]{2}-[0-9]+$"}},
             "properties": {
               "amount": {"$ref": "#/$defs/money"},
               "sku": {"$ref": "#/$defs/sku"},
               "qty": {"type": "integer", "minimum": 1, "maximum": 100, "exclusiveMinimum": 0},
               "kind": {"type": "string", "const": "order"},
               "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}, "minItems": 1, "maxItems": 3, "uniqueItems": true}
             },
             "required": ["amount"]}""";

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    static List<Violation> check(String schema, String data) throws Exception {
        JsonNode definition = json(schema);
        return CompiledSchema.compile(definition, SchemaParser.parse(definition)).violations(json(data));
    }

    @Test
    void aValidEventHasNoViolations() throws Exception {
        assertThat(check(TRACKING_PLAN, """
                {"amount": 12.5, "sku": "AB-12", "qty": 3, "kind": "order", "tags": ["a", "b"]}""")).isEmpty();
    }

    @Test
    void eachKeywordIsEnforcedNamingKeywordAndPointer() throws Exception {
        assertViolation("{\"amount\": -1}", "minimum", "/data/amount");
        assertViolation("{\"amount\": 1000000}", "exclusiveMaximum", "/data/amount");
        assertViolation("{\"amount\": 0.005}", "multipleOf", "/data/amount");
        assertViolation("{\"amount\": 1, \"sku\": \"AB\"}", "minLength", "/data/sku");
        assertViolation("{\"amount\": 1, \"sku\": \"AB-1234567890\"}", "maxLength", "/data/sku");
        assertViolation("{\"amount\": 1, \"sku\": \"ab-12\"}", "pattern", "/data/sku");
        assertViolation("{\"amount\": 1, \"qty\": 101}", "maximum", "/data/qty");
        assertViolation("{\"amount\": 1, \"qty\": 0}", "minimum", "/data/qty");
        assertViolation("{\"amount\": 1, \"kind\": \"refund\"}", "const", "/data/kind");
        assertViolation("{\"amount\": 1, \"tags\": []}", "minItems", "/data/tags");
        assertViolation("{\"amount\": 1, \"tags\": [\"a\", \"b\", \"c\", \"d\"]}", "maxItems", "/data/tags");
        assertViolation("{\"amount\": 1, \"tags\": [\"a\", \"a\"]}", "uniqueItems", "/data/tags");
        assertViolation("{\"amount\": 1, \"tags\": [\"toolong\"]}", "maxLength", "/data/tags/0");
    }

    private static void assertViolation(String data, String keyword, String pointer) throws Exception {
        List<Violation> violations = check(TRACKING_PLAN, data);
        assertThat(violations).as(data).anySatisfy(v -> {
            assertThat(v.pointer()).isEqualTo(pointer);
            assertThat(v.message()).startsWith(keyword + ":");
        });
    }

    @Test
    void aReferenceResolvesInItsOwnDocumentEvenWhenAnotherSchemaUsesTheSameName() throws Exception {
        // Two tenants' schemas with the same definition name compiled in one JVM: each $ref must see its own document.
        String first = "{\"type\": \"object\", \"$defs\": {\"code\": {\"type\": \"string\", \"maxLength\": 1}},"
                + " \"properties\": {\"c\": {\"$ref\": \"#/$defs/code\"}}}";
        String second = "{\"type\": \"object\", \"$defs\": {\"code\": {\"type\": \"string\", \"minLength\": 5}},"
                + " \"properties\": {\"c\": {\"$ref\": \"#/$defs/code\"}}}";
        assertThat(check(first, "{\"c\": \"abcdef\"}")).extracting(Violation::message).singleElement().asString().startsWith("maxLength");
        assertThat(check(second, "{\"c\": \"abcdef\"}")).isEmpty();
        assertThat(check(second, "{\"c\": \"a\"}")).extracting(Violation::message).singleElement().asString().startsWith("minLength");
        assertThat(check(first, "{\"c\": \"a\"}")).isEmpty();
    }

    @Test
    void aSchemaOfTheStructuralSubsetChecksNothingHere() throws Exception {
        JsonNode definition = json("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"enum\": [\"x\"]}}}");
        assertThat(CompiledSchema.compile(definition, SchemaParser.parse(definition)).checksValues()).isFalse();
    }

    @Test
    void aCatastrophicPatternMatchesInLinearTime() throws Exception {
        String schema = "{\"type\": \"object\", \"properties\": {\"s\": {\"type\": \"string\", \"pattern\": \"^(a+)+$\"},"
                + " \"t\": {\"type\": \"string\", \"pattern\": \"^(a|aa)*$\"}, \"u\": {\"type\": \"string\", \"pattern\": \"^(.*a){20}$\"}}}";
        String evil = "a".repeat(100_000) + "!";
        // java.util.regex needs longer than the age of the universe for the first of these.
        List<Violation> violations = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> check(schema, "{\"s\": \"" + evil + "\", \"t\": \"" + evil + "\", \"u\": \"" + evil + "\"}"));
        assertThat(violations).extracting(Violation::pointer).containsExactlyInAnyOrder("/data/s", "/data/t", "/data/u");
    }

    @Test
    void patternsOutsideLinearTimeSyntaxAreRefusedAtRegistration() {
        assertThatThrownBy(() -> SchemaParser.parse(json("""
                {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a)\\\\1$"}}}""")))
                .isInstanceOf(SchemaDefinitionException.class).hasMessageContaining("/properties/s/pattern").hasMessageContaining("backreferences");
        assertThatThrownBy(() -> SchemaParser.parse(json("""
                {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(?=a)a$"}}}""")))
                .hasMessageContaining("/properties/s/pattern");
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\": \"object\", \"properties\": {\"s\": {\"type\": \"string\", \"pattern\": \""
                + "a".repeat(SafePatterns.MAX_LENGTH + 1) + "\"}}}"))).hasMessageContaining("at most " + SafePatterns.MAX_LENGTH);
    }
}
