package dev.pulse.control.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.event.SchemaParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompatibilityTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static EventSchema schema(String properties, String required) throws Exception {
        return SchemaParser.parse(JSON.readTree("{\"type\":\"object\",\"properties\":{" + properties + "},\"required\":[" + required + "]}"));
    }

    @Test
    void addingAnOptionalFieldIsCompatible() throws Exception {
        assertThat(Compatibility.backwardIncompatibilities(
                schema("\"a\":{\"type\":\"string\"}", "\"a\""),
                schema("\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"integer\"}", "\"a\""))).isEmpty();
    }

    @Test
    void everyIncompatibleChangeIsListed() throws Exception {
        List<String> problems = Compatibility.backwardIncompatibilities(
                schema("\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"integer\"},\"c\":{\"type\":\"string\"}", "\"a\""),
                schema("\"b\":{\"type\":\"string\"},\"c\":{\"type\":\"string\"},\"d\":{\"type\":\"boolean\"}", "\"c\",\"d\""));
        assertThat(problems).hasSize(4);
        assertThat(String.join("\n", problems))
                .contains("'a' was removed")
                .contains("/properties/b: type changed from integer to string")
                .contains("'c' became required")
                .contains("new property 'd' is required");
    }

    @Test
    void int32WidensToIntegerAndFloatToNumber() throws Exception {
        assertThat(Compatibility.backwardIncompatibilities(
                schema("\"n\":{\"type\":\"integer\",\"format\":\"int32\"},\"f\":{\"type\":\"number\",\"format\":\"float\"}", ""),
                schema("\"n\":{\"type\":\"integer\"},\"f\":{\"type\":\"number\"}", ""))).isEmpty();
    }

    @Test
    void narrowingOrCrossingNumericKindsIsATypeChange() throws Exception {
        List<String> problems = Compatibility.backwardIncompatibilities(
                schema("\"n\":{\"type\":\"integer\"},\"f\":{\"type\":\"number\"},\"i\":{\"type\":\"integer\",\"format\":\"int32\"}", ""),
                schema("\"n\":{\"type\":\"integer\",\"format\":\"int32\"},\"f\":{\"type\":\"number\",\"format\":\"float\"},\"i\":{\"type\":\"number\"}", ""));
        assertThat(String.join("\n", problems))
                .contains("/properties/n: type changed from integer to integer (int32)")
                .contains("/properties/f: type changed from number to number (float)")
                .contains("/properties/i: type changed from integer (int32) to number");
    }
}
