package dev.pulse.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

class EventConverterTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final EventSchema SCHEMA;
    static final Schema TABLE;

    static {
        try {
            SCHEMA = SchemaParser.parse(JSON.readTree("""
                    {"type": "object", "properties": {
                       "url": {"type": "string"}, "n": {"type": "integer"}, "x": {"type": ["number", "null"]},
                       "at": {"type": "string", "format": "date-time"}, "plan": {"type": "string", "enum": ["free", "pro"]},
                       "tags": {"type": "array", "items": {"type": "string"}},
                       "geo": {"type": "object", "properties": {"lat": {"type": "number"}}, "required": ["lat"], "additionalProperties": false}},
                     "required": ["url", "n"]}"""));
            TABLE = IcebergSchemas.tableSchema(SCHEMA);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static EventConverter.ConversionResult convert(String data) throws Exception {
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        return EventConverter.convert(SCHEMA, TABLE, new EventEnvelope("ds", "e1", t, t, JSON.readTree(data)));
    }

    @Test
    void aValidEventBecomesARowWithTheEnvelope() throws Exception {
        var result = convert("""
                {"url": "/a", "n": 3, "x": null, "at": "2026-11-24T11:00:00+01:00", "plan": "pro", "tags": ["a", "b"], "geo": {"lat": 1.5}, "extra": 1}""");
        assertThat(result.violations()).isEmpty();
        Record row = result.row();
        assertThat(row.getField("event_id")).isEqualTo("e1");
        assertThat(row.getField("url")).isEqualTo("/a");
        assertThat(row.getField("n")).isEqualTo(3L);
        assertThat(row.getField("x")).isNull();
        assertThat(row.getField("at")).isEqualTo(OffsetDateTime.parse("2026-11-24T10:00:00Z"));
        assertThat(row.getField("tags")).isEqualTo(List.of("a", "b"));
        assertThat(((Record) row.getField("geo")).getField("lat")).isEqualTo(1.5);
    }

    @Test
    void everyViolationIsListedWithItsPointer() throws Exception {
        var result = convert("""
                {"n": "three", "at": "yesterday", "plan": "gold", "tags": ["a", 1], "geo": {"lat": "x", "lon": 2}}""");
        assertThat(result.isValid()).isFalse();
        assertThat(result.violations()).extracting(EventConverter.Violation::pointer).containsExactlyInAnyOrder(
                "/data/url", "/data/n", "/data/at", "/data/plan", "/data/tags/1", "/data/geo/lat", "/data/geo/lon");
        assertThat(result.violations().toString()).contains("required property is missing").contains("expected integer, got string");
    }

    @Test
    void nullIsRefusedUnlessDeclaredNullable() throws Exception {
        assertThat(convert("{\"url\": null, \"n\": 1}").violations()).extracting(EventConverter.Violation::pointer).containsExactly("/data/url");
        assertThat(convert("{\"url\": \"/\", \"n\": 1.0}").isValid()).isTrue();
        assertThat(convert("{\"url\": \"/\", \"n\": 1.5}").isValid()).isFalse();
        assertThat(convert("[1]").violations()).extracting(EventConverter.Violation::pointer).containsExactly("/data");
    }

    @Test
    void int32AndFloatValuesAreCheckedAndWidenedIntoAWiderColumn() throws Exception {
        EventSchema narrow = SchemaParser.parse(JSON.readTree("""
                {"type": "object", "properties": {"n": {"type": "integer", "format": "int32"}, "f": {"type": "number", "format": "float"}}}"""));
        EventSchema wide = SchemaParser.parse(JSON.readTree("""
                {"type": "object", "properties": {"n": {"type": "integer"}, "f": {"type": "number"}}}"""));
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        var own = EventConverter.convert(narrow, IcebergSchemas.tableSchema(narrow),
                new EventEnvelope("ds", "e1", t, t, JSON.readTree("{\"n\": 7, \"f\": 1.5}")));
        assertThat(own.row().getField("n")).isEqualTo(7);
        assertThat(own.row().getField("f")).isEqualTo(1.5f);
        // The table already evolved to 64 bits while the dataset still names the 32-bit version.
        var widened = EventConverter.convert(narrow, IcebergSchemas.tableSchema(wide),
                new EventEnvelope("ds", "e1", t, t, JSON.readTree("{\"n\": 7, \"f\": 1.5}")));
        assertThat(widened.row().getField("n")).isEqualTo(7L);
        assertThat(widened.row().getField("f")).isEqualTo(1.5d);
        var tooBig = EventConverter.convert(narrow, IcebergSchemas.tableSchema(narrow),
                new EventEnvelope("ds", "e1", t, t, JSON.readTree("{\"n\": 3000000000}")));
        assertThat(tooBig.violations()).extracting(EventConverter.Violation::pointer).containsExactly("/data/n");
    }

    static EventConverter.ConversionResult convertAt(String eventTime, String data) throws Exception {
        return EventConverter.convert(SCHEMA, TABLE, new EventEnvelope("ds", "e1", Instant.parse(eventTime),
                Instant.parse("2026-11-24T10:00:00Z"), JSON.readTree(data)));
    }

    @Test
    void nanosecondsAreTruncatedToMicrosecondsNeverRoundedEvenBefore1970() throws Exception {
        var result = convertAt("1677-09-21T00:12:43.145224191Z", "{\"url\": \"/\", \"n\": 1, \"at\": \"1969-12-31T23:59:59.999999999Z\"}");
        assertThat(result.violations()).isEmpty();
        assertThat(result.row().getField("event_time")).isEqualTo(OffsetDateTime.parse("1677-09-21T00:12:43.145224Z"));
        // Rounding would have moved this one into 1970.
        assertThat(result.row().getField("at")).isEqualTo(OffsetDateTime.parse("1969-12-31T23:59:59.999999Z"));
    }

    @Test
    void anEventTimeTheLakeCannotHoldIsAViolationNotAnOverflow() throws Exception {
        var result = convertAt("+292278994-08-17T07:12:55Z", "{\"url\": \"/\", \"n\": 1}");
        assertThat(result.isValid()).isFalse();
        assertThat(result.violations()).extracting(EventConverter.Violation::pointer).containsExactly("/event_time");
        assertThat(result.violations().getFirst().message()).contains("+292278994-08-17T07:12:55Z").contains("9999-12-31T23:59:59.999999Z");
        assertThat(convertAt("+10000-01-01T00:00:00Z", "{\"url\": \"/\", \"n\": 1}").isValid()).isFalse();
        assertThat(convertAt("-0001-12-31T23:59:59.999999Z", "{\"url\": \"/\", \"n\": 1}").isValid()).isFalse();
        assertThat(convertAt("0000-01-01T00:00:00Z", "{\"url\": \"/\", \"n\": 1}").isValid()).isTrue();
        assertThat(convertAt("9999-12-31T23:59:59.999999999Z", "{\"url\": \"/\", \"n\": 1}").isValid()).isTrue();
    }

    @Test
    void dateTimeAndDatePropertiesOutsideTheLakesRangeAreViolations() throws Exception {
        EventSchema schema = SchemaParser.parse(JSON.readTree("""
                {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}, "day": {"type": "string", "format": "date"}}}"""));
        Schema table = IcebergSchemas.tableSchema(schema);
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        for (String data : List.of("{\"at\": \"+292278994-08-17T07:12:55Z\"}", "{\"at\": \"+999999999-12-31T23:59:59-18:00\"}",
                "{\"at\": \"-999999999-01-01T00:00:00+18:00\"}", "{\"day\": \"+999999999-12-31\"}", "{\"day\": \"+10000-01-01\"}")) {
            var result = EventConverter.convert(schema, table, new EventEnvelope("ds", "e1", t, t, JSON.readTree(data)));
            assertThat(result.isValid()).as(data).isFalse();
            assertThat(result.violations()).as(data).hasSize(1);
        }
    }

    @Test
    void aLoneSurrogateIsRefusedWithItsPointerWhileAPairIsStoredAsWritten() throws Exception {
        var lone = convert("{\"url\": \"/a\\ud800b\", \"n\": 1, \"tags\": [\"ok\", \"\\udc00\"]}");
        assertThat(lone.violations()).extracting(EventConverter.Violation::pointer).containsExactlyInAnyOrder("/data/url", "/data/tags/1");
        assertThat(lone.violations().getFirst().message()).contains("lone surrogate U+D800").contains("character 2");
        var pair = convert("{\"url\": \"/\\ud83d\\ude00\", \"n\": 1}");
        assertThat(pair.row().getField("url")).isEqualTo("/\uD83D\uDE00");
        var id = EventConverter.convert(SCHEMA, TABLE, new EventEnvelope("ds", "e\uD800", Instant.EPOCH, Instant.EPOCH,
                JSON.readTree("{\"url\": \"/\", \"n\": 1}")));
        assertThat(id.violations()).extracting(EventConverter.Violation::pointer).containsExactly("/event_id");
    }
}
