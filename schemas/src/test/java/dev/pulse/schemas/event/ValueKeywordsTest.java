package dev.pulse.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.event.FieldType.Kind;
import dev.pulse.schemas.event.FieldType.Scalar;
import org.junit.jupiter.api.Test;

/** What the parser accepts beyond the structural subset, and what it refuses (naming keyword and pointer). */
class ValueKeywordsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static EventSchema parse(String text) throws Exception {
        return SchemaParser.parse(JSON.readTree(text));
    }

    @Test
    void aReferenceToADefinitionHasTheDefinitionsShape() throws Exception {
        EventSchema schema = parse("""
                {"type": "object", "$defs": {"money": {"type": ["number", "null"], "minimum": 0}},
                 "properties": {"price": {"$ref": "#/$defs/money", "description": "in EUR"}}, "required": ["price"]}""");
        FieldType.Field price = schema.fields().getFirst();
        assertThat(price.required()).isTrue();
        assertThat(price.nullable()).isTrue();
        assertThat(((Scalar) price.type()).kind()).isEqualTo(Kind.NUMBER);
        assertThat(((Scalar) price.type()).constraints().keywords()).containsKey("minimum");
    }

    @Test
    void keywordsThatWouldChangeAColumnsShapeAreRefusedNamingThem() {
        for (String keyword : new String[] {"\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]",
            "\"anyOf\": [{\"type\": \"string\"}]", "\"if\": {}", "\"then\": {}", "\"else\": {}", "\"not\": {}"}) {
            String name = keyword.substring(1, keyword.indexOf('"', 1));
            assertThatThrownBy(() -> parse("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", " + keyword + "}}}"))
                    .as(name).isInstanceOf(SchemaDefinitionException.class)
                    .hasMessageContaining("/properties/a/" + name).hasMessageContaining("a table column has one");
        }
        assertThatThrownBy(() -> parse("""
                {"type": "object", "properties": {"a": {"type": "string"}}, "patternProperties": {"^x": {"type": "integer"}}}"""))
                .hasMessageContaining("/patternProperties").hasMessageContaining("unsupported keyword 'patternProperties'");
    }

    @Test
    void onlyReferencesToThisDocumentsOwnDefinitionsAreAccepted() {
        for (String ref : new String[] {"https://evil.example/s.json", "other-schema", "pulse://tenant/00000000-0000-0000-0000-000000000001/schemas/x",
            "#/properties/a", "#/$defs/missing", "file:///etc/passwd"}) {
            assertThatThrownBy(() -> parse("{\"type\": \"object\", \"$defs\": {\"d\": {\"type\": \"string\"}},"
                    + " \"properties\": {\"a\": {\"$ref\": \"" + ref + "\"}}}"))
                    .as(ref).hasMessageContaining("/properties/a/$ref").hasMessageContaining("another tenant's");
        }
    }

    @Test
    void aRecursiveReferenceIsRefused() {
        assertThatThrownBy(() -> parse("""
                {"type": "object", "$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}},
                 "properties": {"root": {"$ref": "#/$defs/node"}}}""")).hasMessageContaining("refers to itself");
    }

    @Test
    void definitionsThatMultiplyAreBounded() {
        StringBuilder defs = new StringBuilder("{\"d0\": {\"type\": \"string\"}");
        for (int level = 1; level <= 6; level++) {
            defs.append(", \"d").append(level).append("\": {\"type\": \"object\", \"properties\": {");
            for (int i = 0; i < 10; i++) {
                defs.append(i > 0 ? ", " : "").append("\"p").append(i).append("\": {\"$ref\": \"#/$defs/d").append(level - 1).append("\"}");
            }
            defs.append("}}");
        }
        String schema = "{\"type\": \"object\", \"$defs\": " + defs + "}, \"properties\": {\"top\": {\"$ref\": \"#/$defs/d6\"}}}";
        assertThatThrownBy(() -> parse(schema)).hasMessageContaining("more than " + SchemaParser.MAX_EXPANDED_PROPERTIES + " properties");
    }

    @Test
    void keywordValuesAndPlacesAreChecked() {
        assertThatThrownBy(() -> parse("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"minimum\": 1}}}"))
                .hasMessageContaining("/properties/a/minimum");
        assertThatThrownBy(() -> parse("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\", \"maxLength\": 1}}}"))
                .hasMessageContaining("/properties/a/maxLength");
        assertThatThrownBy(() -> parse("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"number\", \"multipleOf\": 0}}}"))
                .hasMessageContaining("/properties/a/multipleOf");
        assertThatThrownBy(() -> parse("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"maxLength\": -1}}}"))
                .hasMessageContaining("/properties/a/maxLength");
        assertThatThrownBy(() -> parse("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\", \"const\": \"x\"}}}"))
                .hasMessageContaining("/properties/a/const");
        assertThatThrownBy(() -> parse("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"array\", \"items\": {\"type\": \"string\"},"
                + " \"uniqueItems\": 1}}}")).hasMessageContaining("/properties/a/uniqueItems");
        assertThatThrownBy(() -> parse("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"object\", \"$id\": \"x\","
                + " \"properties\": {\"b\": {\"type\": \"string\"}}}}}")).hasMessageContaining("/properties/a/$id");
    }
}
