package dev.pulse.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.testing.HostileEvents;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * Hostile input for the conversion path, generated ({@link HostileEvents}): whatever the raw topic
 * carries, parsing an envelope fails only as a malformed envelope, and converting one yields a
 * row or violations, never an exception; a row holds only values the lake stores faithfully.
 */
class EventConverterPropertiesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final EventSchema RICH;
    static final Schema RICH_TABLE;

    static {
        try {
            RICH = SchemaParser.parse(JSON.readTree("""
                    {"type": "object", "properties": {
                       "url": {"type": "string"}, "n": {"type": "integer"}, "x": {"type": ["number", "null"]},
                       "at": {"type": "string", "format": "date-time"}, "day": {"type": "string", "format": "date"},
                       "id": {"type": "string", "format": "uuid"}, "plan": {"type": "string", "enum": ["free", "pro"]},
                       "small": {"type": "integer", "format": "int32"}, "f": {"type": "number", "format": "float"},
                       "tags": {"type": "array", "items": {"type": "string"}},
                       "geo": {"type": "object", "properties": {"lat": {"type": "number"}, "seen": {"type": "string", "format": "date-time"}},
                               "additionalProperties": false}},
                     "required": ["url"]}"""));
            RICH_TABLE = IcebergSchemas.tableSchema(RICH);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Property(tries = 500)
    void anyEnvelopeAgainstARichSchemaIsARowOrViolations(@ForAll("envelopes") EventEnvelope envelope) {
        EventConverter.ConversionResult result = EventConverter.convert(RICH, RICH_TABLE, envelope);
        assertRowOrViolations(result, RICH_TABLE, envelope);
    }

    @Property(tries = 300)
    void dataShapedByAnyGeneratedSchemaIsARowOrViolations(@ForAll("schemasWithData") Tuple2<JsonNode, JsonNode> schemaAndData,
            @ForAll("instants") Instant eventTime) {
        EventSchema schema;
        try {
            schema = SchemaParser.parse(schemaAndData.get1());
        } catch (SchemaDefinitionException e) {
            Assume.that(false); // a generated document the registry would refuse: not this test's subject
            return;
        }
        Schema table = IcebergSchemas.tableSchema(schema);
        EventEnvelope envelope = new EventEnvelope("ds", "e-1", eventTime, Instant.parse("2026-03-01T00:00:00Z"), schemaAndData.get2());
        assertRowOrViolations(EventConverter.convert(schema, table, envelope), table, envelope);
    }

    @Property(tries = 500)
    void aRawValueIsAnEnvelopeOrMalformed(@ForAll("rawValues") byte[] value) {
        try {
            EventEnvelope envelope = EventEnvelope.fromBytes(JSON, value);
            assertThat(envelope.eventTime()).isNotNull();
        } catch (MalformedEnvelopeException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<EventEnvelope> envelopes() {
        return HostileEvents.envelopes();
    }

    @Provide
    Arbitrary<Tuple2<JsonNode, JsonNode>> schemasWithData() {
        return HostileEvents.schemas().flatMap(s -> HostileEvents.dataFor(s).map(d -> Tuple.of(s, d)));
    }

    @Provide
    Arbitrary<Instant> instants() {
        return HostileEvents.instants();
    }

    @Provide
    Arbitrary<byte[]> rawValues() {
        return HostileEvents.rawValues();
    }

    static void assertRowOrViolations(EventConverter.ConversionResult result, Schema table, EventEnvelope envelope) {
        if (!result.isValid()) {
            assertThat(result.row()).isNull();
            assertThat(result.violations()).allSatisfy(v -> assertThat(v.pointer()).startsWith("/"));
            return;
        }
        Record row = result.row();
        assertStorable(table.asStruct(), row);
        // The event time is the envelope's, truncated (never rounded) to microseconds.
        OffsetDateTime stored = (OffsetDateTime) row.getField(EventSchema.EVENT_TIME);
        Instant sent = envelope.eventTime();
        assertThat(stored.toInstant()).isBeforeOrEqualTo(sent).isAfter(sent.minusNanos(1000));
    }

    /** Every value is one the lake stores as it is: microsecond timestamps and dates in range, well-formed strings. */
    static void assertStorable(Types.StructType struct, Record record) {
        List<Types.NestedField> fields = struct.fields();
        for (int i = 0; i < fields.size(); i++) {
            assertStorable(fields.get(i).type(), record.get(i));
        }
    }

    private static void assertStorable(org.apache.iceberg.types.Type type, Object value) {
        if (value == null) {
            return;
        }
        switch (value) {
            case OffsetDateTime t -> {
                assertThat(t.getOffset()).isEqualTo(ZoneOffset.UTC);
                assertThat(t.getNano() % 1000).isZero();
                assertThat(t.toInstant()).isBetween(LakeValues.MIN_TIMESTAMP, LakeValues.MAX_TIMESTAMP);
            }
            case LocalDate d -> assertThat(d).isBetween(LakeValues.MIN_DATE, LakeValues.MAX_DATE);
            case String s -> assertThat(LakeValues.loneSurrogateIndex(s)).isEqualTo(-1);
            case Record r -> assertStorable(type.asStructType(), r);
            case List<?> items -> items.forEach(item -> assertStorable(type.asListType().elementType(), item));
            default -> {
            }
        }
    }

}
