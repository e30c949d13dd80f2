package dev.pulse.schemas.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.event.EventEnvelope;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators of what a hostile producer (or anyone writing to a raw topic directly, or a DLQ
 * replay) can put in front of the worker: JSON schemas of the supported subset, event data shaped
 * like them but with hostile leaves, envelopes with instants from the whole of Java's range, and
 * raw record values. Shared through the test-jar so every module (and every later feature) can
 * fuzz its own path with the same inputs.
 */
public final class HostileEvents {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Names a schema and its data share, so that generated data often hits declared properties. */
    private static final List<String> NAMES = List.of("url", "n", "at", "day", "id", "tags", "geo", "x", "", "a/b", "~0");

    private HostileEvents() {
    }

    /** Strings that break naive code: lone and paired surrogates, NUL, control and RTL characters, long runs. */
    public static Arbitrary<String> hostileStrings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(20),
                Arbitraries.strings().withCharRange('\uD800', '\uDFFF').ofMinLength(1).ofMaxLength(4),
                Arbitraries.of("", "\u0000", "a\uD800", "\uDC00b", "\uD83D\uDE00", "\uD83D", "\u202Eevil", "\r\n\t", "'; DROP TABLE x; --",
                        "x".repeat(10_000), "2026-03-01T10:15:30Z", "2026-03-01", "123e4567-e89b-12d3-a456-426614174000",
                        "free", "pro"),
                dateTimeTexts(), dateTexts());
    }

    /** RFC 3339 look-alikes: extreme and negative years, nanoseconds, every offset, leap seconds, garbage. */
    public static Arbitrary<String> dateTimeTexts() {
        return Arbitraries.oneOf(
                instants().map(Instant::toString),
                Arbitraries.of("+292278994-08-17T07:12:55Z", "-292275055-05-16T16:47:04.192Z", "1677-09-21T00:12:43.145224191Z",
                        "1969-12-31T23:59:59.999999999Z", "+999999999-12-31T23:59:59.999999999-18:00",
                        "-999999999-01-01T00:00:00+18:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z",
                        "10000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-12-31T23:59:60Z", "2026-03-01T10:15:30",
                        "2026-03-01T10:15:30+25:00", "2026-03-01t10:15:30z"),
                Combinators.combine(instants(), Arbitraries.integers().between(-18 * 3600, 18 * 3600))
                        .as((i, offset) -> {
                            try {
                                return i.atOffset(java.time.ZoneOffset.ofTotalSeconds(offset)).toString();
                            } catch (java.time.DateTimeException e) {
                                return i.toString();
                            }
                        }));
    }

    public static Arbitrary<String> dateTexts() {
        return Arbitraries.oneOf(
                Arbitraries.of("+999999999-12-31", "-999999999-01-01", "+10000-01-01", "0000-01-01", "9999-12-31", "2026-02-29",
                        "1970-01-01", "-0001-12-31"),
                Combinators.combine(Arbitraries.integers().between(-999_999_999, 999_999_999), Arbitraries.integers().between(1, 12),
                        Arbitraries.integers().between(1, 28)).as((y, m, d) -> {
                            String year = y >= 0 && y <= 9999 ? String.format("%04d", y) : (y < 0 ? "-" : "+") + String.format("%04d", Math.abs(y));
                            return year + "-" + String.format("%02d-%02d", m, d);
                        }));
    }

    /** Instants over the whole of Java's range, with a bias to the edges and to sub-microsecond parts. */
    public static Arbitrary<Instant> instants() {
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()),
                        Arbitraries.integers().between(0, 999_999_999)).as(Instant::ofEpochSecond),
                Combinators.combine(Arbitraries.longs().between(-62_167_219_200L, 253_402_300_799L),
                        Arbitraries.integers().between(0, 999_999_999)).as(Instant::ofEpochSecond),
                Arbitraries.of(Instant.MIN, Instant.MAX, Instant.EPOCH, Instant.EPOCH.minusNanos(1),
                        Instant.parse("1677-09-21T00:12:43.145224191Z"), Instant.parse("+292278994-08-17T07:12:55Z")));
    }

    /** Any JSON scalar, including numbers no Java primitive holds. */
    public static Arbitrary<JsonNode> scalars() {
        return Arbitraries.oneOf(
                hostileStrings().map(NODES::textNode),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.integers().map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, Double.MAX_VALUE)
                        .map(NODES::numberNode),
                Arbitraries.of(Float.MAX_VALUE * 2.0, 1e39, 3.4028235e38).map(NODES::numberNode),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)).map(NODES::numberNode),
                Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("1E-400"), new BigDecimal("9223372036854775808"),
                        new BigDecimal("1.0"), new BigDecimal("2147483648")).map(NODES::numberNode),
                Arbitraries.of(true, false).map(NODES::booleanNode),
                Arbitraries.just(NODES.nullNode()));
    }

    /** Any JSON value up to {@code depth} levels of nesting. */
    public static Arbitrary<JsonNode> values(int depth) {
        if (depth <= 0) {
            return scalars();
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, scalars()),
                net.jqwik.api.Tuple.of(1, values(depth - 1).list().ofMaxSize(4).map(HostileEvents::array)),
                net.jqwik.api.Tuple.of(2, objects(depth - 1)));
    }

    /** JSON objects whose keys are often the names schemas declare. */
    public static Arbitrary<JsonNode> objects(int depth) {
        return Arbitraries.maps(Arbitraries.oneOf(Arbitraries.of(NAMES), hostileStrings()), values(depth)).ofMaxSize(6).map(map -> {
            ObjectNode node = NODES.objectNode();
            map.forEach(node::set);
            return node;
        });
    }

    /**
     * JSON schema documents of the supported subset: every scalar kind and format, enums, arrays,
     * nested and closed objects, nullable and required properties.
     */
    public static Arbitrary<JsonNode> schemas() {
        return properties(2).map(props -> {
            ObjectNode root = NODES.objectNode();
            root.put("type", "object");
            root.set("properties", props);
            ArrayNode required = root.putArray("required");
            props.fieldNames().forEachRemaining(name -> {
                if (name.hashCode() % 2 == 0) {
                    required.add(name);
                }
            });
            return (JsonNode) root;
        });
    }

    private static Arbitrary<ObjectNode> properties(int depth) {
        return Arbitraries.maps(Arbitraries.of(NAMES).filter(n -> !n.isEmpty()), propertySchema(depth)).ofMinSize(1).ofMaxSize(6).map(map -> {
            ObjectNode props = NODES.objectNode();
            map.forEach(props::set);
            return props;
        });
    }

    private static Arbitrary<JsonNode> propertySchema(int depth) {
        Arbitrary<JsonNode> scalar = Combinators.combine(
                Arbitraries.of("string", "string:date-time", "string:date", "string:uuid", "integer", "integer:int32", "number",
                        "number:float", "boolean", "string:enum"),
                Arbitraries.of(true, false)).as((kind, nullable) -> {
                    ObjectNode node = NODES.objectNode();
                    String[] parts = kind.split(":");
                    if (nullable) {
                        node.putArray("type").add(parts[0]).add("null");
                    } else {
                        node.put("type", parts[0]);
                    }
                    if (parts.length > 1 && parts[1].equals("enum")) {
                        node.putArray("enum").add("free").add("pro");
                    } else if (parts.length > 1) {
                        node.put("format", parts[1]);
                    }
                    return node;
                });
        if (depth <= 0) {
            return scalar;
        }
        Arbitrary<JsonNode> array = propertySchema(depth - 1).filter(s -> !s.path("type").isArray()).map(items -> {
            ObjectNode node = NODES.objectNode();
            node.put("type", "array");
            node.set("items", items);
            return node;
        });
        Arbitrary<JsonNode> object = Combinators.combine(properties(depth - 1), Arbitraries.of(true, false)).as((props, closed) -> {
            ObjectNode node = NODES.objectNode();
            node.put("type", "object");
            node.set("properties", props);
            node.put("additionalProperties", !closed);
            return node;
        });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, scalar), net.jqwik.api.Tuple.of(1, array), net.jqwik.api.Tuple.of(1, object));
    }

    /**
     * Data shaped by the schema document: each declared property gets a value of its own kind,
     * drawn from the hostile edge of that kind (extreme years, sub-microsecond times, lone
     * surrogates, numbers just past a type's range), or now and then any value at all.
     */
    public static Arbitrary<JsonNode> dataFor(JsonNode schema) {
        JsonNode props = schema.path("properties");
        List<String> names = new java.util.ArrayList<>();
        props.fieldNames().forEachRemaining(names::add);
        List<Arbitrary<JsonNode>> values = names.stream().map(n -> valueFor(props.get(n))).toList();
        return Combinators.combine(values).as(list -> {
            ObjectNode node = NODES.objectNode();
            for (int i = 0; i < names.size(); i++) {
                if (list.get(i) != null) {
                    node.set(names.get(i), list.get(i));
                }
            }
            return (JsonNode) node;
        });
    }

    private static Arbitrary<JsonNode> valueFor(JsonNode propertySchema) {
        JsonNode typeNode = propertySchema.path("type");
        String type = typeNode.isArray() ? typeNode.get(0).asText() : typeNode.asText();
        String format = propertySchema.path("format").asText("");
        Arbitrary<JsonNode> own = switch (type) {
            case "object" -> dataFor(propertySchema);
            case "array" -> valueFor(propertySchema.get("items")).list().ofMaxSize(3).map(HostileEvents::array);
            case "integer" -> format.equals("int32")
                    ? Arbitraries.longs().between(Integer.MIN_VALUE - 1L, Integer.MAX_VALUE + 1L).map(NODES::numberNode)
                    : Arbitraries.oneOf(Arbitraries.longs().map(NODES::numberNode), scalars());
            case "number" -> scalars();
            case "boolean" -> Arbitraries.of(true, false).map(NODES::booleanNode);
            default -> switch (format) {
                case "date-time" -> dateTimeTexts().map(NODES::textNode);
                case "date" -> dateTexts().map(NODES::textNode);
                case "uuid" -> Arbitraries.of("123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000", "x")
                        .map(NODES::textNode);
                default -> hostileStrings().map(NODES::textNode);
            };
        };
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, own), net.jqwik.api.Tuple.of(1, values(1))).injectNull(0.1);
    }

    /** Envelopes as the raw topic may carry them: any instant, hostile event ids, any data. */
    public static Arbitrary<EventEnvelope> envelopes() {
        return Combinators.combine(hostileStrings().filter(s -> !s.isEmpty()), instants(), instants(),
                Arbitraries.oneOf(objects(3), values(2))).as((id, eventTime, receivedAt, data) ->
                        new EventEnvelope("ds", id, eventTime, receivedAt, data));
    }

    /** Raw-topic record values: envelopes as written, their JSON text mangled, or arbitrary bytes. */
    public static Arbitrary<byte[]> rawValues() {
        return Arbitraries.oneOf(
                envelopes().map(EventEnvelope::toBytes),
                envelopes().map(e -> new String(e.toBytes(), StandardCharsets.UTF_8).replace("\"event_time\":\"", "\"event_time\":\"+"))
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.of("{}", "[]", "null", "{\"dataset\":1}", "{\"dataset\":\"ds\",\"event_id\":\"e\",\"event_time\":\"\\ud800\"}",
                        "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}").map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonNode array(List<JsonNode> items) {
        ArrayNode node = NODES.arrayNode();
        items.forEach(node::add);
        return node;
    }
}
