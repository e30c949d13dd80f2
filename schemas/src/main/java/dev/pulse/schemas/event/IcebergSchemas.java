package dev.pulse.schemas.event;

import dev.pulse.schemas.event.FieldType.ArrayType;
import dev.pulse.schemas.event.FieldType.Field;
import dev.pulse.schemas.event.FieldType.ObjectType;
import dev.pulse.schemas.event.FieldType.Scalar;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The mapping from an event schema to an Iceberg table schema: the envelope columns
 * ({@code event_id}, {@code event_time}, {@code received_at}, all required) then the schema's
 * fields. Data columns are optional in Iceberg even when {@code required} in JSON Schema: the
 * worker enforces required-ness, and optional columns let a table evolve without rewriting files.
 */
public final class IcebergSchemas {
    private IcebergSchemas() {
    }

    /** How a dataset's table is partitioned: by day or hour of event time. */
    public enum Partitioning {
        DAY, HOUR;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Partitioning parse(String text) {
            for (Partitioning p : values()) {
                if (p.wireName().equals(text)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown partitioning '" + text + "': use day or hour");
        }
    }

    public static Schema tableSchema(EventSchema eventSchema) {
        AtomicInteger ids = new AtomicInteger(0);
        List<Types.NestedField> columns = new ArrayList<>();
        columns.add(Types.NestedField.required(ids.incrementAndGet(), EventSchema.EVENT_ID, Types.StringType.get()));
        columns.add(Types.NestedField.required(ids.incrementAndGet(), EventSchema.EVENT_TIME, Types.TimestampType.withZone()));
        columns.add(Types.NestedField.required(ids.incrementAndGet(), EventSchema.RECEIVED_AT, Types.TimestampType.withZone()));
        for (Field f : eventSchema.fields()) {
            columns.add(Types.NestedField.optional(ids.incrementAndGet(), f.name(), icebergType(f.type(), ids)));
        }
        return new Schema(columns);
    }

    public static PartitionSpec partitionSpec(Schema schema, Partitioning partitioning) {
        PartitionSpec.Builder spec = PartitionSpec.builderFor(schema);
        return switch (partitioning) {
            case DAY -> spec.day(EventSchema.EVENT_TIME).build();
            case HOUR -> spec.hour(EventSchema.EVENT_TIME).build();
        };
    }

    /** The day/hour partition plus a bucket of {@code bucketField} into {@code buckets} buckets. */
    public static PartitionSpec partitionSpec(Schema schema, Partitioning partitioning, String bucketField, int buckets) {
        PartitionSpec.Builder spec = PartitionSpec.builderFor(schema);
        switch (partitioning) {
            case DAY -> spec.day(EventSchema.EVENT_TIME);
            case HOUR -> spec.hour(EventSchema.EVENT_TIME);
        }
        return spec.bucket(bucketField, buckets).build();
    }

    static Type icebergType(FieldType type, AtomicInteger ids) {
        return switch (type) {
            case Scalar s -> switch (s.kind()) {
                case STRING, UUID -> Types.StringType.get();
                case INTEGER -> Types.LongType.get();
                case INT32 -> Types.IntegerType.get();
                case NUMBER -> Types.DoubleType.get();
                case FLOAT -> Types.FloatType.get();
                case BOOLEAN -> Types.BooleanType.get();
                case DATE_TIME -> Types.TimestampType.withZone();
                case DATE -> Types.DateType.get();
            };
            case ObjectType o -> {
                List<Types.NestedField> fields = new ArrayList<>();
                for (Field f : o.fields()) {
                    fields.add(Types.NestedField.optional(ids.incrementAndGet(), f.name(), icebergType(f.type(), ids)));
                }
                yield Types.StructType.of(fields);
            }
            case ArrayType a -> {
                int elementId = ids.incrementAndGet();
                yield Types.ListType.ofRequired(elementId, icebergType(a.items(), ids));
            }
        };
    }
}
