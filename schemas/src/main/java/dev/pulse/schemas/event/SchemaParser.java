package dev.pulse.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.event.FieldType.ArrayType;
import dev.pulse.schemas.event.FieldType.Field;
import dev.pulse.schemas.event.FieldType.Kind;
import dev.pulse.schemas.event.FieldType.ObjectType;
import dev.pulse.schemas.event.FieldType.Scalar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the supported subset of JSON Schema (draft 2020-12): {@code type} string / integer /
 * number / boolean / object / array (or {@code [T, "null"]} for nullable), nested objects,
 * {@code items}, {@code required}, {@code enum}, {@code format} date-time / date / uuid on strings,
 * {@code format} int32 / int64 on integers and float / double on numbers (OpenAPI style: 32-bit
 * columns that a later version may widen to 64 bits),
 * {@code additionalProperties} true/false, plus the annotations {@code $schema}, {@code $id},
 * {@code title}, {@code description}. Anything else is refused with its keyword and pointer, so
 * a producer never believes a constraint is enforced when it is not.
 */
public final class SchemaParser {
    private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "title", "description", "$comment");
    private static final Set<String> OBJECT_KEYWORDS = Set.of("type", "properties", "required", "additionalProperties");
    private static final Set<String> SCALAR_KEYWORDS = Set.of("type", "format", "enum");
    private static final Set<String> ARRAY_KEYWORDS = Set.of("type", "items");
    private static final Set<String> ANY_TYPE_KEYWORDS = union(OBJECT_KEYWORDS, SCALAR_KEYWORDS, ARRAY_KEYWORDS);
    private static final int MAX_DEPTH = 16;

    private SchemaParser() {
    }

    public static EventSchema parse(JsonNode document) {
        if (document == null || !document.isObject()) {
            throw new SchemaDefinitionException("", "a schema must be a JSON object with \"type\": \"object\"");
        }
        JsonNode type = document.get("type");
        if (type == null || !type.isTextual() || !type.asText().equals("object")) {
            throw new SchemaDefinitionException("/type", "the top-level schema must have \"type\": \"object\"");
        }
        if (!document.has("properties") || document.get("properties").isEmpty()) {
            throw new SchemaDefinitionException("/properties", "the top-level schema must declare at least one property");
        }
        ObjectType root = parseObject(document, "", 0);
        for (Field f : root.fields()) {
            if (EventSchema.ENVELOPE_COLUMNS.contains(f.name())) {
                throw new SchemaDefinitionException("/properties/" + f.name(),
                        "'" + f.name() + "' is an envelope column Pulse fills itself; rename the property");
            }
        }
        return new EventSchema(root);
    }

    private static ObjectType parseObject(JsonNode node, String pointer, int depth) {
        if (depth > MAX_DEPTH) {
            throw new SchemaDefinitionException(pointer, "objects nest deeper than " + MAX_DEPTH + " levels");
        }
        checkKeywords(node, pointer, OBJECT_KEYWORDS);
        JsonNode properties = node.get("properties");
        if (properties == null || !properties.isObject()) {
            throw new SchemaDefinitionException(pointer + "/properties", "an object schema needs \"properties\" as an object");
        }
        Set<String> required = new HashSet<>();
        JsonNode requiredNode = node.get("required");
        if (requiredNode != null) {
            if (!requiredNode.isArray()) {
                throw new SchemaDefinitionException(pointer + "/required", "\"required\" must be an array of property names");
            }
            for (int i = 0; i < requiredNode.size(); i++) {
                JsonNode r = requiredNode.get(i);
                if (!r.isTextual() || !properties.has(r.asText())) {
                    throw new SchemaDefinitionException(pointer + "/required/" + i,
                            "\"required\" names " + r + ", which is not a declared property");
                }
                required.add(r.asText());
            }
        }
        boolean closed = false;
        JsonNode additional = node.get("additionalProperties");
        if (additional != null) {
            if (!additional.isBoolean()) {
                throw new SchemaDefinitionException(pointer + "/additionalProperties", "only true or false is supported");
            }
            closed = !additional.asBoolean();
        }
        List<Field> fields = new ArrayList<>();
        Set<String> lowerNames = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String fieldPointer = pointer + "/properties/" + escape(name);
            if (!PROPERTY_NAME.matcher(name).matches()) {
                throw new SchemaDefinitionException(fieldPointer, "property name '" + name + "' must match " + PROPERTY_NAME.pattern());
            }
            // Column names are case-insensitive in SQL engines; two spellings would collide there.
            if (!lowerNames.add(name.toLowerCase(java.util.Locale.ROOT))) {
                throw new SchemaDefinitionException(fieldPointer, "property '" + name + "' differs from another only by case");
            }
            fields.add(parseField(name, e.getValue(), fieldPointer, required.contains(name), depth));
        }
        return new ObjectType(fields, closed);
    }

    private static Field parseField(String name, JsonNode node, String pointer, boolean required, int depth) {
        if (!node.isObject()) {
            throw new SchemaDefinitionException(pointer, "a property schema must be an object");
        }
        JsonNode typeNode = node.get("type");
        if (typeNode == null) {
            // A property without "type" is usually written with a keyword Pulse does not support
            // (oneOf, anyOf, $ref, const, ...): name that keyword rather than the missing type.
            checkKeywords(node, pointer, ANY_TYPE_KEYWORDS);
            throw new SchemaDefinitionException(pointer + "/type", "every property needs a \"type\"");
        }
        String type;
        boolean nullable = false;
        if (typeNode.isTextual()) {
            type = typeNode.asText();
        } else if (typeNode.isArray() && typeNode.size() == 2
                && typeNode.get(0).isTextual() && typeNode.get(1).isTextual()
                && (typeNode.get(0).asText().equals("null") ^ typeNode.get(1).asText().equals("null"))) {
            nullable = true;
            type = typeNode.get(0).asText().equals("null") ? typeNode.get(1).asText() : typeNode.get(0).asText();
        } else {
            throw new SchemaDefinitionException(pointer + "/type", "\"type\" must be a type name or [type, \"null\"]");
        }
        return new Field(name, parseType(type, node, pointer, depth), required, nullable);
    }

    private static FieldType parseType(String type, JsonNode node, String pointer, int depth) {
        return switch (type) {
            case "object" -> parseObject(node, pointer, depth + 1);
            case "array" -> {
                checkKeywords(node, pointer, ARRAY_KEYWORDS);
                JsonNode items = node.get("items");
                if (items == null || !items.isObject()) {
                    throw new SchemaDefinitionException(pointer + "/items", "an array needs \"items\" with one schema");
                }
                Field item = parseField("items", items, pointer + "/items", true, depth + 1);
                if (item.nullable()) {
                    throw new SchemaDefinitionException(pointer + "/items/type", "array items cannot be nullable");
                }
                yield new ArrayType(item.type());
            }
            case "string", "integer", "number", "boolean" -> parseScalar(type, node, pointer);
            case "null" -> throw new SchemaDefinitionException(pointer + "/type", "\"null\" alone is not a column type");
            default -> throw new SchemaDefinitionException(pointer + "/type", "unsupported type '" + type + "'");
        };
    }

    private static Scalar parseScalar(String type, JsonNode node, String pointer) {
        checkKeywords(node, pointer, SCALAR_KEYWORDS);
        Kind kind = switch (type) {
            case "integer" -> Kind.INTEGER;
            case "number" -> Kind.NUMBER;
            case "boolean" -> Kind.BOOLEAN;
            default -> Kind.STRING;
        };
        JsonNode format = node.get("format");
        if (format != null) {
            if (!format.isTextual()) {
                throw new SchemaDefinitionException(pointer + "/format", "\"format\" must be a string");
            }
            kind = switch (kind) {
                case STRING -> switch (format.asText()) {
                    case "date-time" -> Kind.DATE_TIME;
                    case "date" -> Kind.DATE;
                    case "uuid" -> Kind.UUID;
                    default -> throw new SchemaDefinitionException(pointer + "/format",
                            "unsupported format '" + format.asText() + "' for a string (supported: date-time, date, uuid)");
                };
                case INTEGER -> switch (format.asText()) {
                    case "int32" -> Kind.INT32;
                    case "int64" -> Kind.INTEGER;
                    default -> throw new SchemaDefinitionException(pointer + "/format",
                            "unsupported format '" + format.asText() + "' for an integer (supported: int32, int64)");
                };
                case NUMBER -> switch (format.asText()) {
                    case "float" -> Kind.FLOAT;
                    case "double" -> Kind.NUMBER;
                    default -> throw new SchemaDefinitionException(pointer + "/format",
                            "unsupported format '" + format.asText() + "' for a number (supported: float, double)");
                };
                default -> throw new SchemaDefinitionException(pointer + "/format",
                        "\"format\" applies to strings, integers and numbers only");
            };
        }
        List<String> allowed = new ArrayList<>();
        JsonNode enumNode = node.get("enum");
        if (enumNode != null) {
            if (!enumNode.isArray() || enumNode.isEmpty()) {
                throw new SchemaDefinitionException(pointer + "/enum", "\"enum\" must be a non-empty array");
            }
            if (kind != Kind.STRING && kind != Kind.INTEGER && kind != Kind.INT32) {
                throw new SchemaDefinitionException(pointer + "/enum", "\"enum\" is supported on plain strings and integers");
            }
            for (int i = 0; i < enumNode.size(); i++) {
                JsonNode v = enumNode.get(i);
                boolean fits = kind == Kind.STRING ? v.isTextual()
                        : kind == Kind.INT32 ? v.isIntegralNumber() && v.canConvertToInt() : v.isIntegralNumber();
                if (!fits) {
                    throw new SchemaDefinitionException(pointer + "/enum/" + i, "enum value " + v + " is not a " + type);
                }
                allowed.add(v.asText());
            }
        }
        return new Scalar(kind, allowed);
    }

    private static void checkKeywords(JsonNode node, String pointer, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (!allowed.contains(keyword) && !ANNOTATIONS.contains(keyword)) {
                throw new SchemaDefinitionException(pointer + "/" + escape(keyword),
                        "unsupported keyword '" + keyword + "' here (supported: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return Set.copyOf(all);
    }

    /** RFC 6901 escaping of one pointer segment. */
    static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
