package dev.pulse.control.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.control.FieldText;
import dev.pulse.control.InvalidFieldException;
import java.nio.charset.StandardCharsets;

/**
 * A schema's {@code definition} as stored: at most {@value #MAX_BYTES} bytes of JSON (UTF-8, as
 * serialized), without an unpaired UTF-16 surrogate in any string (it has no UTF-8 encoding, so
 * PostgreSQL would store {@code ?} instead of what was sent). Its shape (types, property names, nesting) is checked by the schema parser; this
 * bounds the size of what every registration, dataset lookup and worker cache holds.
 */
final class SchemaDefinitions {
    static final int MAX_BYTES = 256 * 1024;

    private SchemaDefinitions() {
    }

    /** The definition's JSON text when within bounds; a 400 naming {@code definition} otherwise. */
    static String requireStorable(JsonNode definition) {
        String text = definition.toString();
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new InvalidFieldException("schema-too-large", "definition", "the schema definition is " + bytes
                    + " bytes of JSON; at most " + MAX_BYTES + " are accepted");
        }
        int surrogate = FieldText.unpairedSurrogate(text);
        if (surrogate >= 0) {
            throw new InvalidFieldException("invalid-schema-text", "definition",
                    "the schema definition holds an unpaired UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair); send valid Unicode");
        }
        return text;
    }
}
