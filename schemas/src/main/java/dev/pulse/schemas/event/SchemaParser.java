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
 * Parses the supported JSON Schema (draft 2020-12). The structural keywords decide the table's
 * columns: {@code type} string / integer / number / boolean / object / array (or
 * {@code [T, "null"]} for nullable), nested objects, {@code items}, {@code required},
 * {@code enum}, {@code format} date-time / date / uuid on strings, {@code format} int32 / int64 on
 * integers and float / double on numbers (OpenAPI style: 32-bit columns that a later version may
 * widen to 64 bits), {@code additionalProperties} true/false. The validation keywords of
 * {@link ValueKeywords} (numeric and string bounds, {@code pattern}, {@code const},
 * {@code multipleOf}, array bounds) narrow values without changing a column. {@code $defs} at the
 * top level and {@code $ref} to them ({@code "#/$defs/<name>"}, nothing else: no other schema, no
 * other tenant's, nothing remote) stand for the definition they name; a recursive reference is
 * refused (a column cannot contain itself). Annotations: {@code $schema}, {@code $id} (top level
 * only), {@code title}, {@code description}, {@code $comment}, {@code examples}, {@code default}.
 * Anything else is refused with its keyword and pointer — the keywords that would change a
 * column's shape ({@code oneOf}, {@code if}, {@code patternProperties}, …) with that reason — so a
 * producer never believes a constraint is enforced when it is not.
 */
public final class SchemaParser {
    private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern DEF_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final String DEFS_PREFIX = "#/$defs/";
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$comment", "examples", "default");
    private static final Set<String> ROOT_ANNOTATIONS = Set.of("$schema", "$id", "$defs");
    private static final Set<String> OBJECT_KEYWORDS = Set.of("type", "properties", "required", "additionalProperties");
    private static final Set<String> SCALAR_KEYWORDS = Set.of("type", "format", "enum");
    private static final Set<String> ARRAY_KEYWORDS = union(Set.of("type", "items"), ValueKeywords.ARRAY);
    private static final Set<String> ANY_TYPE_KEYWORDS = union(OBJECT_KEYWORDS, SCALAR_KEYWORDS, ARRAY_KEYWORDS, ValueKeywords.NUMERIC,
            ValueKeywords.TEXT, Set.of(ValueKeywords.CONST, "$ref"));
    private static final int MAX_DEPTH = 16;
    /** Properties after expanding every {@code $ref}: definitions used many times multiply, and each one is a column. */
    static final int MAX_EXPANDED_PROPERTIES = 10_000;

    /** The top-level {@code $defs} (empty when absent), and the references being resolved (to refuse recursion). */
    private final JsonNode defs;
    private final java.util.Deque<String> resolving = new java.util.ArrayDeque<>();
    private int expanded;

    private SchemaParser(JsonNode defs) {
        this.defs = defs;
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
        SchemaParser parser = new SchemaParser(definitions(document));
        parser.checkDefinitions();
        ObjectType root = parser.parseObject(document, "", 0);
        for (Field f : root.fields()) {
            if (EventSchema.ENVELOPE_COLUMNS.contains(f.name())) {
                throw new SchemaDefinitionException("/properties/" + f.name(),
                        "'" + f.name() + "' is an envelope column Pulse fills itself; rename the property");
            }
        }
        return new EventSchema(root);
    }

    private static JsonNode definitions(JsonNode document) {
        JsonNode defs = document.get("$defs");
        if (defs == null) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!defs.isObject()) {
            throw new SchemaDefinitionException("/$defs", "\"$defs\" must be an object of named schemas");
        }
        for (Iterator<String> names = defs.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!DEF_NAME.matcher(name).matches()) {
                throw new SchemaDefinitionException("/$defs/" + escape(name), "definition name '" + abbreviate(name) + "' must match " + DEF_NAME.pattern());
            }
        }
        return defs;
    }

    /** Every definition is checked like a property, referenced or not: no keyword is ever accepted unchecked. */
    private void checkDefinitions() {
        for (Iterator<Map.Entry<String, JsonNode>> it = defs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> def = it.next();
            parseField(def.getKey(), def.getValue(), "/$defs/" + def.getKey(), false, 1);
        }
    }

    private ObjectType parseObject(JsonNode node, String pointer, int depth) {
        if (depth > MAX_DEPTH) {
            throw new SchemaDefinitionException(pointer, "objects nest deeper than " + MAX_DEPTH + " levels");
        }
        checkKeywords(node, pointer, depth == 0 ? union(OBJECT_KEYWORDS, ROOT_ANNOTATIONS) : OBJECT_KEYWORDS);
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

    private Field parseField(String name, JsonNode node, String pointer, boolean required, int depth) {
        if (++expanded > MAX_EXPANDED_PROPERTIES) {
            throw new SchemaDefinitionException(pointer, "the schema expands (with every $ref replaced by its definition) to more than "
                    + MAX_EXPANDED_PROPERTIES + " properties; a table cannot have that many columns");
        }
        if (!node.isObject()) {
            throw new SchemaDefinitionException(pointer, "a property schema must be an object");
        }
        if (node.has("$ref")) {
            return parseReference(name, node, pointer, required, depth);
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

    /**
     * A property written as {@code {"$ref": "#/$defs/<name>"}}: the definition's shape, under the
     * property's name. Beside {@code $ref} only annotations may stand (constraints belong in the
     * definition), so the shape and the checks of a property are always in one place.
     */
    private Field parseReference(String name, JsonNode node, String pointer, boolean required, int depth) {
        checkKeywords(node, pointer, Set.of("$ref"));
        JsonNode ref = node.get("$ref");
        String target = ref.isTextual() ? ref.textValue() : "";
        String defName = target.startsWith(DEFS_PREFIX) ? target.substring(DEFS_PREFIX.length()) : null;
        if (defName == null || !defs.has(defName)) {
            throw new SchemaDefinitionException(pointer + "/$ref", "\"$ref\": " + abbreviate(String.valueOf(ref))
                    + " is not supported: only references to this document's own definitions (\"#/$defs/<name>\", one that exists) are;"
                    + " a schema cannot refer to another schema, another tenant's or a remote document");
        }
        if (resolving.contains(defName) || depth > MAX_DEPTH) {
            throw new SchemaDefinitionException(pointer + "/$ref", "\"$ref\": \"" + target + "\" refers to itself (through "
                    + String.join(" -> ", resolving) + "): a column cannot contain itself");
        }
        resolving.push(defName);
        try {
            Field resolved = parseField(name, defs.get(defName), "/$defs/" + defName, required, depth);
            return new Field(name, resolved.type(), required, resolved.nullable());
        } finally {
            resolving.pop();
        }
    }

    private FieldType parseType(String type, JsonNode node, String pointer, int depth) {
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
                yield new ArrayType(item.type(), ValueKeywords.array(node, pointer));
            }
            case "string", "integer", "number", "boolean" -> parseScalar(type, node, pointer);
            case "null" -> throw new SchemaDefinitionException(pointer + "/type", "\"null\" alone is not a column type");
            default -> throw new SchemaDefinitionException(pointer + "/type", "unsupported type '" + type + "'");
        };
    }

    private static Scalar parseScalar(String type, JsonNode node, String pointer) {
        checkKeywords(node, pointer, union(SCALAR_KEYWORDS, ValueKeywords.forScalar(type)));
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
        return new Scalar(kind, allowed, ValueKeywords.scalar(node, kind, type, pointer));
    }

    private static void checkKeywords(JsonNode node, String pointer, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (allowed.contains(keyword) || ANNOTATIONS.contains(keyword)) {
                continue;
            }
            if (ValueKeywords.SHAPE_CHANGING.contains(keyword)) {
                throw new SchemaDefinitionException(pointer + "/" + escape(keyword), "unsupported keyword '" + keyword + "': it would let"
                        + " values of one property take different types or structures, and a table column has one; declare one type per"
                        + " property (validation keywords such as minimum, maxLength, pattern or const are supported)");
            }
            throw new SchemaDefinitionException(pointer + "/" + escape(keyword), "unsupported keyword '" + abbreviate(keyword)
                    + "' here (supported: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
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

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    /** RFC 6901 escaping of one pointer segment. */
    static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
