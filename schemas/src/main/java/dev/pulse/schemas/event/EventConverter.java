package dev.pulse.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.event.FieldType.ArrayType;
import dev.pulse.schemas.event.FieldType.Field;
import dev.pulse.schemas.event.FieldType.ObjectType;
import dev.pulse.schemas.event.FieldType.Scalar;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Validates an event's {@code data} against its schema and, when valid, builds the Iceberg row.
 * One pass: every violation is collected with its JSON pointer, so a DLQ reason lists them all.
 * A value the lake cannot hold faithfully (see {@link LakeValues}) is a violation too, so a row
 * that comes out of here can be written as it is. {@link #convert} never throws: whatever the
 * envelope holds, the answer is a row or violations (a jqwik property test fuzzes this).
 */
public final class EventConverter {
    private EventConverter() {
    }

    public record Violation(String pointer, String message) {
        @Override
        public String toString() {
            return pointer + ": " + message;
        }
    }

    /** Either a row or the list of violations. */
    public record ConversionResult(Record row, List<Violation> violations) {
        public boolean isValid() {
            return violations.isEmpty();
        }
    }

    public static ConversionResult convert(EventSchema schema, Schema tableSchema, EventEnvelope envelope) {
        List<Violation> violations = new ArrayList<>();
        if (envelope.data() == null || !envelope.data().isObject()) {
            violations.add(new Violation("/data", "must be a JSON object"));
            return new ConversionResult(null, violations);
        }
        GenericRecord row = GenericRecord.create(tableSchema);
        row.setField(EventSchema.EVENT_ID, checkedText(envelope.eventId(), "/" + EventSchema.EVENT_ID, violations));
        row.setField(EventSchema.EVENT_TIME, envelopeTime(envelope.eventTime(), EventSchema.EVENT_TIME, violations));
        row.setField(EventSchema.RECEIVED_AT, envelopeTime(envelope.receivedAt(), EventSchema.RECEIVED_AT, violations));
        fillStruct(schema.root(), tableSchema.asStruct(), envelope.data(), "/data", row, violations);
        return violations.isEmpty() ? new ConversionResult(row, List.of()) : new ConversionResult(null, violations);
    }

    private static OffsetDateTime envelopeTime(Instant time, String field, List<Violation> violations) {
        if (time == null) {
            violations.add(new Violation("/" + field, "is missing"));
            return null;
        }
        Optional<OffsetDateTime> stored = LakeValues.timestamp(time);
        if (stored.isEmpty()) {
            violations.add(new Violation("/" + field, time + " is " + LakeValues.timestampRange()));
            return null;
        }
        return stored.get();
    }

    /** The text when it is well-formed Unicode; otherwise a violation (see {@link LakeValues}). */
    private static String checkedText(String text, String pointer, List<Violation> violations) {
        if (text == null) {
            violations.add(new Violation(pointer, "is missing"));
            return null;
        }
        int lone = LakeValues.loneSurrogateIndex(text);
        if (lone >= 0) {
            violations.add(new Violation(pointer, LakeValues.loneSurrogate(text, lone)));
            return null;
        }
        return text;
    }

    private static void fillStruct(ObjectType type, Types.StructType struct, JsonNode node, String pointer,
            Record target, List<Violation> violations) {
        Set<String> declared = new HashSet<>();
        for (Field f : type.fields()) {
            declared.add(f.name());
            JsonNode value = node.get(f.name());
            String fieldPointer = pointer + "/" + SchemaParser.escape(f.name());
            if (value == null || value.isMissingNode()) {
                if (f.required()) {
                    violations.add(new Violation(fieldPointer, "required property is missing"));
                }
                continue;
            }
            if (value.isNull()) {
                if (!f.nullable()) {
                    violations.add(new Violation(fieldPointer, "must not be null (declare \"type\": [T, \"null\"] to allow it)"));
                }
                continue;
            }
            Types.NestedField column = struct.field(f.name());
            if (column == null) {
                // The schema knows a field the table does not (an upgrade not yet applied): refuse, never drop.
                violations.add(new Violation(fieldPointer, "the dataset's table has no column for this property"));
                continue;
            }
            target.setField(f.name(), convertValue(f.type(), column.type(), value, fieldPointer, violations));
        }
        if (type.closed()) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!declared.contains(name)) {
                    violations.add(new Violation(pointer + "/" + SchemaParser.escape(name),
                            "property is not in the schema and additionalProperties is false"));
                }
            }
        }
    }

    private static Object convertValue(FieldType type, Type icebergType, JsonNode value, String pointer, List<Violation> violations) {
        return switch (type) {
            case Scalar s -> widen(convertScalar(s, value, pointer, violations), icebergType);
            case ObjectType o -> {
                if (!value.isObject()) {
                    violations.add(new Violation(pointer, "expected object, got " + kindOf(value)));
                    yield null;
                }
                Types.StructType struct = icebergType.asStructType();
                GenericRecord nested = GenericRecord.create(struct);
                fillStruct(o, struct, value, pointer, nested, violations);
                yield nested;
            }
            case ArrayType a -> {
                if (!value.isArray()) {
                    violations.add(new Violation(pointer, "expected array, got " + kindOf(value)));
                    yield null;
                }
                Type elementType = icebergType.asListType().elementType();
                List<Object> items = new ArrayList<>(value.size());
                for (int i = 0; i < value.size(); i++) {
                    JsonNode item = value.get(i);
                    if (item.isNull()) {
                        violations.add(new Violation(pointer + "/" + i, "array items must not be null"));
                        continue;
                    }
                    items.add(convertValue(a.items(), elementType, item, pointer + "/" + i, violations));
                }
                yield items;
            }
        };
    }

    /**
     * A 32-bit value into a column already widened to 64 bits: the table evolves (one commit)
     * before the dataset row moves to the new schema version, so for a moment a writer may hold
     * the older version and the newer table.
     */
    private static Object widen(Object value, Type column) {
        if (value instanceof Integer i && column.typeId() == Type.TypeID.LONG) {
            return i.longValue();
        }
        if (value instanceof Float f && column.typeId() == Type.TypeID.DOUBLE) {
            return f.doubleValue();
        }
        return value;
    }

    private static Object convertScalar(Scalar s, JsonNode value, String pointer, List<Violation> violations) {
        if (value.isTextual() && LakeValues.loneSurrogateIndex(value.asText()) >= 0) {
            // Any kind: even a property checked only against an enum must not carry it into a DLQ reason unnoticed.
            return checkedText(value.asText(), pointer, violations);
        }
        Object converted = switch (s.kind()) {
            case STRING -> value.isTextual() ? value.asText() : null;
            case INTEGER -> value.canConvertToExactIntegral() && value.canConvertToLong() ? value.longValue() : null;
            case INT32 -> value.canConvertToExactIntegral() && value.canConvertToInt() ? value.intValue() : null;
            case NUMBER -> value.isNumber() && Double.isFinite(value.doubleValue()) ? value.doubleValue() : null;
            case FLOAT -> value.isNumber() && Float.isFinite(value.floatValue()) ? value.floatValue() : null;
            case BOOLEAN -> value.isBoolean() ? value.booleanValue() : null;
            case DATE_TIME -> value.isTextual() ? parseDateTime(value.asText()) : null;
            case DATE -> value.isTextual() ? parseDate(value.asText()) : null;
            case UUID -> value.isTextual() ? parseUuid(value.asText()) : null;
        };
        if (converted == null) {
            violations.add(new Violation(pointer, "expected " + s.kind().display() + ", got " + describe(value)));
            return null;
        }
        if (converted instanceof OutOfRange outOfRange) {
            violations.add(new Violation(pointer, outOfRange.reason()));
            return null;
        }
        if (!s.allowed().isEmpty() && !s.allowed().contains(value.asText())) {
            violations.add(new Violation(pointer, "value " + value + " is not one of " + s.allowed()));
            return null;
        }
        return converted;
    }

    /** A well-formed value the lake cannot hold: refused with this reason rather than stored altered. */
    private record OutOfRange(String reason) {
    }

    private static Object parseDateTime(String text) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) { // a parse failure, or an offset that moves the instant beyond Java's range
            return null;
        }
        return LakeValues.timestamp(instant).<Object>map(t -> t)
                .orElseGet(() -> new OutOfRange(abbreviate(text) + " is " + LakeValues.timestampRange()));
    }

    private static Object parseDate(String text) {
        LocalDate date;
        try {
            date = LocalDate.parse(text);
        } catch (DateTimeException e) {
            return null;
        }
        return LakeValues.dateInRange(date) ? date
                : new OutOfRange(abbreviate(text) + " is outside the range a table stores (" + LakeValues.MIN_DATE + " to " + LakeValues.MAX_DATE + ")");
    }

    private static String parseUuid(String text) {
        try {
            return text.length() == 36 && UUID.fromString(text).toString().equalsIgnoreCase(text) ? text.toLowerCase(java.util.Locale.ROOT) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String describe(JsonNode value) {
        return value.isTextual() ? "string \"" + abbreviate(value.asText()) + "\"" : kindOf(value) + " " + abbreviate(value.toString());
    }

    private static String kindOf(JsonNode value) {
        if (value.isTextual()) {
            return "string";
        }
        if (value.isIntegralNumber()) {
            return "integer";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isArray()) {
            return "array";
        }
        if (value.isObject()) {
            return "object";
        }
        return "null";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
