package dev.pulse.worker.lake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.event.EventConverter;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.event.SchemaDefinitionException;
import dev.pulse.schemas.event.SchemaParser;
import dev.pulse.schemas.testing.HostileEvents;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.Example;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;

/**
 * The write stage's check: it never throws, it passes every row the converter accepts (for the
 * table the schema made), and it refuses what the Parquet writer or the partition transform would
 * choke on or store altered — whatever reaches it, e.g. from a table that drifted from its schema.
 */
class RowPreparerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 300)
    void everyRowTheConverterAcceptsIsWritableForItsTableWithEveryPartitioning(
            @ForAll("schemasWithData") Tuple2<JsonNode, JsonNode> schemaAndData, @ForAll("instants") Instant eventTime) {
        EventSchema schema;
        try {
            schema = SchemaParser.parse(schemaAndData.get1());
        } catch (SchemaDefinitionException e) {
            Assume.that(false);
            return;
        }
        Schema table = IcebergSchemas.tableSchema(schema);
        EventEnvelope envelope = new EventEnvelope("ds", "e-1", eventTime, eventTime, schemaAndData.get2());
        EventConverter.ConversionResult converted = EventConverter.convert(schema, table, envelope);
        for (IcebergSchemas.Partitioning partitioning : IcebergSchemas.Partitioning.values()) {
            RowPreparer.PrepareResult prepared = new RowPreparer(table, IcebergSchemas.partitionSpec(table, partitioning))
                    .prepare(converted.isValid() ? converted.row() : GenericRecord.create(table));
            if (converted.isValid()) {
                assertThat(prepared.problem()).as(partitioning.name()).isNull();
                assertThat(prepared.partition()).isNotNull();
            }
        }
    }

    @Example
    void anEventTimeBeyondIcebergsMicrosecondsIsUnwritableNotAnOverflow() {
        Schema table = IcebergSchemas.tableSchema(SchemaParser.parse(json("{\"type\": \"object\", \"properties\": {\"url\": {\"type\": \"string\"}}}")));
        RowPreparer preparer = new RowPreparer(table, IcebergSchemas.partitionSpec(table, IcebergSchemas.Partitioning.DAY));
        Record row = GenericRecord.create(table);
        row.setField(EventSchema.EVENT_ID, "e");
        row.setField(EventSchema.RECEIVED_AT, OffsetDateTime.parse("2026-03-01T00:00:00Z"));
        row.setField(EventSchema.EVENT_TIME, OffsetDateTime.parse("+292278994-08-17T07:12:55Z"));
        assertThat(preparer.prepare(row).problem()).contains("event_time").contains("overflows");
        row.setField(EventSchema.EVENT_TIME, OffsetDateTime.parse("+20000-01-01T00:00:00Z"));
        assertThat(preparer.prepare(row).problem()).contains("event_time").contains("outside");
        row.setField(EventSchema.EVENT_TIME, OffsetDateTime.parse("1677-09-21T00:12:43.145224191Z"));
        assertThat(preparer.prepare(row).problem()).contains("finer than a microsecond");
        row.setField(EventSchema.EVENT_TIME, OffsetDateTime.parse("1677-09-21T00:12:43.145224Z"));
        assertThat(preparer.prepare(row).isWritable()).isTrue();
        row.setField("url", "a\uD800");
        assertThat(preparer.prepare(row).problem()).contains("url").contains("lone surrogate");
        row.setField("url", 42L);
        assertThat(preparer.prepare(row).problem()).contains("url").contains("Long 42");
        row.setField("url", null);
        row.setField(EventSchema.EVENT_ID, null);
        assertThat(preparer.prepare(row).problem()).contains("event_id").contains("required");
    }

    @Example
    void aDateBeyondTheLakesRangeIsUnwritable() {
        Schema table = IcebergSchemas.tableSchema(SchemaParser.parse(json(
                "{\"type\": \"object\", \"properties\": {\"day\": {\"type\": \"string\", \"format\": \"date\"}}}")));
        Record row = GenericRecord.create(table);
        row.setField(EventSchema.EVENT_ID, "e");
        row.setField(EventSchema.RECEIVED_AT, OffsetDateTime.parse("2026-03-01T00:00:00Z"));
        row.setField(EventSchema.EVENT_TIME, OffsetDateTime.parse("2026-03-01T00:00:00Z"));
        row.setField("day", LocalDate.MAX);
        assertThat(new RowPreparer(table, PartitionSpec.unpartitioned()).prepare(row).problem()).contains("day");
    }

    @Provide
    Arbitrary<Tuple2<JsonNode, JsonNode>> schemasWithData() {
        return HostileEvents.schemas().flatMap(s -> HostileEvents.dataFor(s).map(d -> Tuple.of(s, d)));
    }

    @Provide
    Arbitrary<Instant> instants() {
        return HostileEvents.instants();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
