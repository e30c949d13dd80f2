package dev.pulse.control.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.event.SchemaParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BACKWARD compatibility of the validation keywords: loosening is compatible, tightening is not. */
class ConstraintChangesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static List<String> change(String before, String after) throws Exception {
        return Compatibility.backwardIncompatibilities(schema(before), schema(after));
    }

    static EventSchema schema(String property) throws Exception {
        return SchemaParser.parse(JSON.readTree("{\"type\": \"object\", \"$defs\": {\"n\": {\"type\": \"integer\", \"minimum\": 0}},"
                + " \"properties\": {\"a\": " + property + "}}"));
    }

    @Test
    void tighteningABoundIsNotBackwardCompatible() throws Exception {
        assertTightens("{\"type\": \"string\", \"maxLength\": 10}", "{\"type\": \"string\", \"maxLength\": 5}", "maxLength");
        assertTightens("{\"type\": \"string\"}", "{\"type\": \"string\", \"maxLength\": 5}", "maxLength");
        assertTightens("{\"type\": \"string\", \"minLength\": 1}", "{\"type\": \"string\", \"minLength\": 2}", "minLength");
        assertTightens("{\"type\": \"integer\", \"minimum\": 0}", "{\"type\": \"integer\", \"minimum\": 1}", "minimum");
        assertTightens("{\"type\": \"number\", \"maximum\": 10}", "{\"type\": \"number\", \"maximum\": 9.5}", "maximum");
        assertTightens("{\"type\": \"number\"}", "{\"type\": \"number\", \"exclusiveMinimum\": 0}", "exclusiveMinimum");
        assertTightens("{\"type\": \"number\", \"multipleOf\": 0.5}", "{\"type\": \"number\", \"multipleOf\": 1}", "multipleOf");
        assertTightens("{\"type\": \"string\"}", "{\"type\": \"string\", \"pattern\": \"^a\"}", "pattern");
        assertTightens("{\"type\": \"string\", \"pattern\": \"^a\"}", "{\"type\": \"string\", \"pattern\": \"^ab\"}", "pattern");
        assertTightens("{\"type\": \"string\"}", "{\"type\": \"string\", \"const\": \"x\"}", "const");
        assertTightens("{\"type\": \"string\", \"enum\": [\"x\", \"y\"]}", "{\"type\": \"string\", \"enum\": [\"x\"]}", "enum");
        assertTightens("{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
                "{\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"uniqueItems\": true}", "uniqueItems");
        assertTightens("{\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"maxItems\": 3}",
                "{\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"maxItems\": 2}", "maxItems");
        assertTightens("{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
                "{\"type\": \"array\", \"items\": {\"type\": \"string\", \"maxLength\": 2}}", "/properties/a/items: maxLength");
        assertTightens("{\"$ref\": \"#/$defs/n\"}", "{\"type\": \"integer\", \"minimum\": 5}", "minimum");
    }

    @Test
    void looseningABoundIsBackwardCompatible() throws Exception {
        assertThat(change("{\"type\": \"string\", \"maxLength\": 5}", "{\"type\": \"string\", \"maxLength\": 10}")).isEmpty();
        assertThat(change("{\"type\": \"string\", \"maxLength\": 5, \"pattern\": \"^a\"}", "{\"type\": \"string\"}")).isEmpty();
        assertThat(change("{\"type\": \"integer\", \"minimum\": 1}", "{\"type\": \"integer\", \"minimum\": 0}")).isEmpty();
        assertThat(change("{\"type\": \"number\", \"multipleOf\": 1}", "{\"type\": \"number\", \"multipleOf\": 0.5}")).isEmpty();
        assertThat(change("{\"type\": \"string\", \"const\": \"x\"}", "{\"type\": \"string\"}")).isEmpty();
        assertThat(change("{\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"uniqueItems\": true, \"minItems\": 2}",
                "{\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"uniqueItems\": false}")).isEmpty();
        assertThat(change("{\"type\": \"integer\", \"minimum\": 0}", "{\"$ref\": \"#/$defs/n\"}")).isEmpty();
        assertThat(change("{\"type\": \"string\", \"pattern\": \"^a\"}", "{\"type\": \"string\", \"pattern\": \"^a\"}")).isEmpty();
    }

    private static void assertTightens(String before, String after, String expected) throws Exception {
        List<String> problems = change(before, after);
        assertThat(problems).as(before + " -> " + after).hasSize(1);
        assertThat(problems.getFirst()).contains("/properties/a").contains(expected);
    }
}
