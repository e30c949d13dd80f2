package dev.pulse.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.event.FieldType.Constraints;
import dev.pulse.schemas.event.FieldType.Kind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schema validation keywords Pulse enforces besides the structural subset: they narrow
 * the values a column accepts but never its type, so a table's shape still follows from the
 * structural keywords alone. Each is checked here for where it may stand and for its value; the
 * worker enforces them with networknt's validator ({@link CompiledSchema}).
 */
final class ValueKeywords {
    static final Set<String> NUMERIC = Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf");
    static final Set<String> TEXT = Set.of("minLength", "maxLength", "pattern");
    static final Set<String> ARRAY = Set.of("minItems", "maxItems", "uniqueItems");
    static final String CONST = "const";
    /**
     * Keywords that let one property take several types or structures, or give an object
     * properties its schema does not name: a table column has one type, so these are refused.
     */
    static final Set<String> SHAPE_CHANGING = Set.of("oneOf", "anyOf", "allOf", "not", "if", "then", "else", "patternProperties",
            "prefixItems", "additionalItems", "unevaluatedProperties", "unevaluatedItems", "dependentSchemas", "dependencies",
            "propertyNames", "contains", "minContains", "maxContains", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
            "$recursiveAnchor");

    private ValueKeywords() {
    }

    /** The value keywords a scalar of JSON type {@code type} may carry. */
    static Set<String> forScalar(String type) {
        return switch (type) {
            case "integer", "number" -> union(NUMERIC, Set.of(CONST));
            case "string" -> union(TEXT, Set.of(CONST));
            default -> Set.of(CONST);
        };
    }

    static Constraints scalar(JsonNode node, Kind kind, String type, String pointer) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        for (String keyword : forScalar(type)) {
            JsonNode value = node.get(keyword);
            if (value == null) {
                continue;
            }
            String at = pointer + "/" + keyword;
            if (NUMERIC.contains(keyword)) {
                requireNumber(value, keyword, at, keyword.equals("multipleOf"));
            } else if (keyword.equals("pattern")) {
                requirePattern(value, at);
            } else if (keyword.equals(CONST)) {
                requireConst(value, kind, type, at);
            } else {
                requireCount(value, keyword, at);
            }
            found.put(keyword, value);
        }
        return new Constraints(found);
    }

    static Constraints array(JsonNode node, String pointer) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        for (String keyword : ARRAY) {
            JsonNode value = node.get(keyword);
            if (value == null) {
                continue;
            }
            if (keyword.equals("uniqueItems")) {
                if (!value.isBoolean()) {
                    throw new SchemaDefinitionException(pointer + "/uniqueItems", "\"uniqueItems\" must be true or false");
                }
            } else {
                requireCount(value, keyword, pointer + "/" + keyword);
            }
            found.put(keyword, value);
        }
        return new Constraints(found);
    }

    private static void requireNumber(JsonNode value, String keyword, String at, boolean positive) {
        if (!value.isNumber() || !Double.isFinite(value.doubleValue()) || (positive && value.decimalValue().signum() <= 0)) {
            throw new SchemaDefinitionException(at, "\"" + keyword + "\" must be a " + (positive ? "number greater than 0" : "number"));
        }
    }

    private static void requireCount(JsonNode value, String keyword, String at) {
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
            throw new SchemaDefinitionException(at, "\"" + keyword + "\" must be a non-negative integer");
        }
    }

    private static void requirePattern(JsonNode value, String at) {
        if (!value.isTextual()) {
            throw new SchemaDefinitionException(at, "\"pattern\" must be a string");
        }
        String problem = SafePatterns.problem(value.textValue());
        if (problem != null) {
            throw new SchemaDefinitionException(at, problem);
        }
    }

    private static void requireConst(JsonNode value, Kind kind, String type, String at) {
        boolean fits = switch (kind) {
            case STRING, DATE_TIME, DATE, UUID -> value.isTextual();
            case INTEGER -> value.isIntegralNumber() && value.canConvertToLong();
            case INT32 -> value.isIntegralNumber() && value.canConvertToInt();
            case NUMBER, FLOAT -> value.isNumber();
            case BOOLEAN -> value.isBoolean();
        };
        if (!fits) {
            throw new SchemaDefinitionException(at, "const value " + abbreviate(value.toString()) + " is not a " + kind.display());
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
