package dev.pulse.schemas.event;

import java.util.List;

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

    /** A scalar, optionally restricted to an enumeration of allowed values (strings or numbers as text). */
    record Scalar(Kind kind, List<String> allowed) implements FieldType {
        public Scalar {
            allowed = allowed == null ? List.of() : List.copyOf(allowed);
        }
    }

    /** A nested object. {@code closed} when additionalProperties is false. */
    record ObjectType(List<Field> fields, boolean closed) implements FieldType {
        public ObjectType {
            fields = List.copyOf(fields);
        }
    }

    record ArrayType(FieldType items) implements FieldType {
    }

    /** One property: its name, type, whether it is in {@code required}, whether null is allowed. */
    record Field(String name, FieldType type, boolean required, boolean nullable) {
    }

    default String display() {
        return switch (this) {
            case Scalar s -> s.kind().display() + (s.allowed().isEmpty() ? "" : " enum " + s.allowed());
            case ObjectType o -> "object";
            case ArrayType a -> "array of " + a.items().display();
        };
    }
}
