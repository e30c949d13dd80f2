package dev.pulse.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.event.FieldType.ArrayType;
import dev.pulse.schemas.event.FieldType.Kind;
import dev.pulse.schemas.event.FieldType.ObjectType;
import dev.pulse.schemas.event.FieldType.Scalar;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class SchemaParserTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void parsesTheSupportedSubset() throws Exception {
        EventSchema schema = SchemaParser.parse(json("""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "properties": {
                   "url": {"type": "string", "description": "page"},
                   "count": {"type": "integer"},
                   "price": {"type": ["number", "null"]},
                   "ok": {"type": "boolean"},
                   "at": {"type": "string", "format": "date-time"},
                   "day": {"type": "string", "format": "date"},
                   "id": {"type": "string", "format": "uuid"},
                   "plan": {"type": "string", "enum": ["free", "pro"]},
                   "tags": {"type": "array", "items": {"type": "string"}},
                   "geo": {"type": "object", "properties": {"lat": {"type": "number"}}, "required": ["lat"]}
                 },
                 "required": ["url"]}"""));
        assertThat(schema.fields()).extracting(FieldType.Field::name)
                .containsExactly("url", "count", "price", "ok", "at", "day", "id", "plan", "tags", "geo");
        assertThat(schema.fields().get(0).required()).isTrue();
        assertThat(schema.fields().get(2).nullable()).isTrue();
        assertThat(((Scalar) schema.fields().get(4).type()).kind()).isEqualTo(Kind.DATE_TIME);
        assertThat(((Scalar) schema.fields().get(7).type()).allowed()).containsExactly("free", "pro");
        assertThat(schema.fields().get(8).type()).isInstanceOf(ArrayType.class);
        assertThat(((ObjectType) schema.fields().get(9).type()).fields().getFirst().required()).isTrue();

        Schema table = IcebergSchemas.tableSchema(schema);
        assertThat(table.columns()).extracting(Types.NestedField::name).startsWith("event_id", "event_time", "received_at");
        assertThat(table.findField("event_time").type()).isEqualTo(Types.TimestampType.withZone());
        assertThat(table.findField("count").type()).isEqualTo(Types.LongType.get());
        assertThat(table.findField("geo").type().isStructType()).isTrue();
        assertThat(table.findField("tags").type().isListType()).isTrue();
    }

    @Test
    void refusesAnUnsupportedKeywordNamingItAndItsPointer() {
        assertThatThrownBy(() -> SchemaParser.parse(json("""
                {"type": "object", "properties": {"name": {"type": "string", "contentEncoding": "base64"}}}""")))
                .isInstanceOf(SchemaDefinitionException.class)
                .hasMessageContaining("/properties/name/contentEncoding").hasMessageContaining("contentEncoding");
        assertThatThrownBy(() -> SchemaParser.parse(json("""
                {"type": "object", "properties": {"a": {"type": "string"}}, "oneOf": []}""")))
                .hasMessageContaining("/oneOf");
    }

    @Test
    void aPropertyWrittenWithAnUnsupportedKeywordInsteadOfATypeIsRefusedNamingTheKeyword() {
        assertThatThrownBy(() -> SchemaParser.parse(json("""
                {"type": "object", "properties": {"id": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}""")))
                .isInstanceOf(SchemaDefinitionException.class)
                .hasMessageContaining("/properties/id/oneOf").hasMessageContaining("unsupported keyword 'oneOf'")
                .hasMessageNotContaining("needs a");
        assertThatThrownBy(() -> SchemaParser.parse(json("""
                {"type": "object", "properties": {"ref": {"$ref": "#/$defs/x"}}}""")))
                .hasMessageContaining("/properties/ref/$ref").hasMessageContaining("only references to this document's own definitions");
        assertThatThrownBy(() -> SchemaParser.parse(json("""
                {"type": "object", "properties": {"plain": {"description": "no type"}}}""")))
                .hasMessageContaining("/properties/plain/type").hasMessageContaining("every property needs a \"type\"");
    }

    @Test
    void refusesWhatIsNotAnObjectSchema() {
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\": \"string\"}"))).hasMessageContaining("/type");
        assertThatThrownBy(() -> SchemaParser.parse(json("[1, 2]"))).isInstanceOf(SchemaDefinitionException.class);
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\": \"object\", \"properties\": {}}"))).hasMessageContaining("at least one");
    }

    @Test
    void refusesEnvelopeNamesAndBadPropertyNames() {
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\":\"object\",\"properties\":{\"event_time\":{\"type\":\"string\"}}}")))
                .hasMessageContaining("envelope");
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\":\"object\",\"properties\":{\"bad name\":{\"type\":\"string\"}}}")))
                .hasMessageContaining("property name");
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"A\":{\"type\":\"string\"}}}")))
                .hasMessageContaining("case");
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"b\"]}")))
                .hasMessageContaining("/required/0");
    }

    @Test
    void refusesUnsupportedTypesAndFormats() {
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"bigint\"}}}")))
                .hasMessageContaining("unsupported type 'bigint'");
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"email\"}}}")))
                .hasMessageContaining("/properties/a/format");
        assertThatThrownBy(() -> SchemaParser.parse(json("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"integer\"]}}}")))
                .hasMessageContaining("/properties/a/type");
    }

    @Test
    void int32AndFloatFormatsMapToThirtyTwoBitColumns() throws Exception {
        EventSchema schema = SchemaParser.parse(json("""
                {"type": "object", "properties": {
                   "small": {"type": "integer", "format": "int32"}, "big": {"type": "integer", "format": "int64"},
                   "f": {"type": "number", "format": "float"}, "d": {"type": "number", "format": "double"}}}"""));
        assertThat(schema.fields()).extracting(f -> ((Scalar) f.type()).kind())
                .containsExactly(Kind.INT32, Kind.INTEGER, Kind.FLOAT, Kind.NUMBER);
        Schema table = IcebergSchemas.tableSchema(schema);
        assertThat(table.findField("small").type()).isEqualTo(Types.IntegerType.get());
        assertThat(table.findField("big").type()).isEqualTo(Types.LongType.get());
        assertThat(table.findField("f").type()).isEqualTo(Types.FloatType.get());
        assertThat(table.findField("d").type()).isEqualTo(Types.DoubleType.get());
    }

    @Test
    void aFormatThatDoesNotFitItsTypeIsRefusedWithItsPointer() {
        assertThatThrownBy(() -> SchemaParser.parse(json("""
                {"type": "object", "properties": {"n": {"type": "integer", "format": "float"}}}""")))
                .isInstanceOf(SchemaDefinitionException.class)
                .hasMessageContaining("/properties/n/format").hasMessageContaining("float");
        assertThatThrownBy(() -> SchemaParser.parse(json("""
                {"type": "object", "properties": {"b": {"type": "boolean", "format": "int32"}}}""")))
                .isInstanceOf(SchemaDefinitionException.class)
                .hasMessageContaining("/properties/b/format");
    }
}
