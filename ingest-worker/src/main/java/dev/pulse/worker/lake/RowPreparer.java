package dev.pulse.worker.lake;

import dev.pulse.schemas.event.LakeValues;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * The write stage's check of one row, before it goes anywhere near a data file: every value has
 * the Java type the Parquet writer expects for its column and a value that column can hold
 * faithfully, and the row's partition can be computed. A row that passes is written as it is;
 * one that does not is a dead letter of its own, so a bad value can never fail a file that
 * other records share. One preparer per table per batch (not thread-safe).
 */
public final class RowPreparer {
    private static final long MIN_MICROS = micros(LakeValues.MIN_TIMESTAMP);
    private static final long MAX_MICROS = micros(LakeValues.MAX_TIMESTAMP);

    private final PartitionSpec spec;
    private final Types.StructType struct;
    private final PartitionKey key;
    // Partition transforms work on Iceberg's internal representation (micros), not OffsetDateTime.
    private final InternalRecordWrapper wrapper;

    public RowPreparer(Table table) {
        this(table.schema(), table.spec());
    }

    public RowPreparer(Schema schema, PartitionSpec spec) {
        this.spec = spec;
        this.struct = schema.asStruct();
        this.key = new PartitionKey(spec, schema);
        this.wrapper = new InternalRecordWrapper(struct);
    }

    /** The row with its partition, or why the table cannot hold it. */
    public PrepareResult prepare(Record row) {
        String problem = problemInStruct(struct, row, "");
        if (problem != null) {
            return PrepareResult.unwritable(problem);
        }
        try {
            key.partition(wrapper.wrap(row));
        } catch (RuntimeException e) { // a pure function of this row: its failure is this row's alone
            return PrepareResult.unwritable("its partition (" + spec.fields() + ") cannot be computed: " + e);
        }
        return PrepareResult.writable(key.copy());
    }

    /** A row with its partition, or the reason the table cannot hold it. */
    public record PrepareResult(PartitionKey partition, String problem) {
        static PrepareResult writable(PartitionKey partition) {
            return new PrepareResult(partition, null);
        }

        static PrepareResult unwritable(String problem) {
            return new PrepareResult(null, problem);
        }

        public boolean isWritable() {
            return problem == null;
        }
    }

    private static String problemInStruct(Types.StructType type, Object value, String path) {
        if (!(value instanceof Record record) || record.size() != type.fields().size()) {
            return at(path, "expected a struct of " + type.fields().size() + " fields, got " + describe(value));
        }
        List<Types.NestedField> fields = type.fields();
        for (int i = 0; i < fields.size(); i++) {
            Types.NestedField field = fields.get(i);
            String problem = problemInValue(field.type(), field.isRequired(), record.get(i), path + "/" + field.name());
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String problemInValue(Type type, boolean required, Object value, String path) {
        if (value == null) {
            return required ? at(path, "a required column holds null") : null;
        }
        return switch (type.typeId()) {
            case BOOLEAN -> expect(value instanceof Boolean, type, value, path);
            case INTEGER -> expect(value instanceof Integer, type, value, path);
            case LONG -> expect(value instanceof Long, type, value, path);
            case FLOAT -> expect(value instanceof Float, type, value, path);
            case DOUBLE -> expect(value instanceof Double, type, value, path);
            case STRING -> {
                if (!(value instanceof CharSequence text)) {
                    yield expect(false, type, value, path);
                }
                int lone = LakeValues.loneSurrogateIndex(text);
                yield lone < 0 ? null : at(path, "holds a lone surrogate at character " + lone + ", which UTF-8 cannot store");
            }
            case DATE -> {
                if (!(value instanceof LocalDate date)) {
                    yield expect(false, type, value, path);
                }
                yield LakeValues.dateInRange(date) ? null : at(path, date + " is outside " + LakeValues.MIN_DATE + " to " + LakeValues.MAX_DATE);
            }
            case TIME -> expect(value instanceof LocalTime t && t.getNano() % 1000 == 0, type, value, path);
            case TIMESTAMP -> timestampProblem((Types.TimestampType) type, value, path);
            case UUID -> expect(value instanceof UUID, type, value, path);
            case FIXED -> expect(value instanceof byte[] bytes && bytes.length == ((Types.FixedType) type).length(), type, value, path);
            case BINARY -> expect(value instanceof ByteBuffer, type, value, path);
            case DECIMAL -> {
                Types.DecimalType decimal = (Types.DecimalType) type;
                yield expect(value instanceof BigDecimal d && d.scale() == decimal.scale() && d.precision() <= decimal.precision(),
                        type, value, path);
            }
            case STRUCT -> problemInStruct(type.asStructType(), value, path);
            case LIST -> {
                if (!(value instanceof List<?> items)) {
                    yield expect(false, type, value, path);
                }
                Types.ListType list = type.asListType();
                for (int i = 0; i < items.size(); i++) {
                    String problem = problemInValue(list.elementType(), list.isElementRequired(), items.get(i), path + "/" + i);
                    if (problem != null) {
                        yield problem;
                    }
                }
                yield null;
            }
            case MAP -> {
                if (!(value instanceof Map<?, ?> entries)) {
                    yield expect(false, type, value, path);
                }
                Types.MapType map = type.asMapType();
                for (Map.Entry<?, ?> e : entries.entrySet()) {
                    String problem = problemInValue(map.keyType(), true, e.getKey(), path + "/key");
                    if (problem == null) {
                        problem = problemInValue(map.valueType(), map.isValueRequired(), e.getValue(), path + "/" + e.getKey());
                    }
                    if (problem != null) {
                        yield problem;
                    }
                }
                yield null;
            }
            default -> at(path, "column type " + type + " is not written by Pulse");
        };
    }

    private static String timestampProblem(Types.TimestampType type, Object value, String path) {
        long micros;
        try {
            if (type.shouldAdjustToUTC() && value instanceof OffsetDateTime t) {
                micros = DateTimeUtil.microsFromTimestamptz(t);
            } else if (!type.shouldAdjustToUTC() && value instanceof LocalDateTime t) {
                micros = DateTimeUtil.microsFromTimestamp(t);
            } else {
                return expect(false, type, value, path);
            }
        } catch (ArithmeticException e) {
            return at(path, value + " overflows the column's 64-bit microseconds");
        }
        if (((java.time.temporal.TemporalAccessor) value).get(ChronoField.NANO_OF_SECOND) % 1000 != 0) {
            // The writer would round toward 1970 (into another second before 1970): refuse instead.
            return at(path, value + " is finer than a microsecond");
        }
        return micros < MIN_MICROS || micros > MAX_MICROS
                ? at(path, value + " is outside " + LakeValues.MIN_TIMESTAMP + " to " + LakeValues.MAX_TIMESTAMP)
                : null;
    }

    private static long micros(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    private static String expect(boolean ok, Type type, Object value, String path) {
        return ok ? null : at(path, "column of type " + type + " cannot hold " + describe(value));
    }

    private static String at(String path, String problem) {
        return (path.isEmpty() ? "row" : "column " + path) + ": " + problem;
    }

    private static String describe(Object value) {
        String text = String.valueOf(value);
        return value.getClass().getSimpleName() + " " + (text.length() <= 60 ? text : text.substring(0, 60) + "…");
    }
}
