package dev.pulse.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** The types of the supported JSON Schema subset. */
public sealed interface FieldType {

    enum Kind {
        STRING("string"), INTEGER("integer"), NUMBER("number"), BOOLEAN("boolean"),
        DATE_TIME("string (date-time)"), DATE("string (date)"), UUID("string (uuid)"),
        /** {@code "type": "integer", "format": "int32"}: a 32-bit integer column, widenable to {@link #INTEGER}. */
        INT32("integer (int32)"),
        /** {@code "type": "number", "format": "float"}: a 32-bit float column, widenable to {@link #NUMBER}. */
        FLOAT("number (float)");

        private final String display;

        Kind(String display) {
            this.display = display;
        }

        public String display() {
            return display;
        }
    }

    /**
     * The validation keywords of one scalar or array (keyword → its value as written: minimum,
     * maxLength, pattern, const, minItems, …): they narrow the values a column accepts without
     * changing its type. The worker checks them with a JSON Schema validator; compatibility
     * compares them ({@code Compatibility}).
     */
    record Constraints(Map<String, JsonNode> keywords) {
        public static final Constraints NONE = new Constraints(Map.of());

        public Constraints {
            keywords = Map.copyOf(keywords);
        }

        public boolean isEmpty() {
            return keywords.isEmpty();
        }
    }

    /** A scalar, optionally restricted to an enumeration of allowed values (strings or numbers as text) and by validation keywords. */
    record Scalar(Kind kind, List<String> allowed, Constraints constraints) implements FieldType {
        public Scalar {
            allowed = allowed == null ? List.of() : List.copyOf(allowed);
            constraints = constraints == null ? Constraints.NONE : constraints;
        }

        public Scalar(Kind kind, List<String> allowed) {
            this(kind, allowed, Constraints.NONE);
        }
    }

    /** A nested object. {@code closed} when additionalProperties is false. */
    record ObjectType(List<Field> fields, boolean closed) implements FieldType {
        public ObjectType {
            fields = List.copyOf(fields);
        }
    }

    record ArrayType(FieldType items, Constraints constraints) implements FieldType {
        public ArrayType {
            constraints = constraints == null ? Constraints.NONE : constraints;
        }

        public ArrayType(FieldType items) {
            this(items, Constraints.NONE);
        }
    }

    /** One property: its name, type, whether it is in {@code required}, whether null is allowed. */
    record Field(String name, FieldType type, boolean required, boolean nullable) {
    }

    default String display() {
        return switch (this) {
            case Scalar s -> s.kind().display() + (s.allowed().isEmpty() ? "" : " enum " + s.allowed())
                    + (s.constraints().isEmpty() ? "" : " " + s.constraints().keywords());
            case ObjectType o -> "object";
            case ArrayType a -> "array of " + a.items().display() + (a.constraints().isEmpty() ? "" : " " + a.constraints().keywords());
        };
    }
}
