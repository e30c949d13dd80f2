package dev.pulse.query.sandbox;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Blob;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.duckdb.DuckDBStruct;

/**
 * DuckDB JDBC values to JSON-ready Java values: numbers and booleans stay themselves, instants
 * become RFC 3339 strings in UTC, structs become ordered maps, lists become lists, recursively.
 * DuckDB hands TIMESTAMPTZ out as an OffsetDateTime in the session time zone; going through
 * Instant makes the rendering independent of that zone.
 */
final class JsonValues {
    private JsonValues() {
    }

    static Object convert(Object value) throws SQLException {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Integer i -> i;
            case Long l -> l;
            case Short s -> s;
            case Byte b -> b;
            case Double d -> d;
            case Float f -> f;
            case BigDecimal d -> d;
            case BigInteger i -> i;
            case OffsetDateTime t -> t.toInstant().toString();
            case Timestamp t -> t.toInstant().toString();
            // TIMESTAMP without a zone: Iceberg's timestamp (no zone) is UTC wall time by convention.
            case LocalDateTime t -> t.toInstant(ZoneOffset.UTC).toString();
            case LocalDate d -> d.toString();
            case java.sql.Date d -> d.toLocalDate().toString();
            case LocalTime t -> t.toString();
            case OffsetTime t -> t.toString();
            case UUID u -> u.toString();
            case byte[] bytes -> bytes;
            case Blob blob -> blob.getBytes(1, (int) blob.length());
            case DuckDBStruct struct -> convertMap(struct.getMap());
            case Map<?, ?> map -> convertMap(map);
            case Array array -> convertArray(array.getArray());
            case Object[] array -> convertArray(array);
            case List<?> list -> convertArray(list.toArray());
            default -> value.toString();
        };
    }

    private static Map<String, Object> convertMap(Map<?, ?> map) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            out.put(String.valueOf(e.getKey()), convert(e.getValue()));
        }
        return out;
    }

    private static List<Object> convertArray(Object array) throws SQLException {
        List<Object> out = new ArrayList<>();
        if (array instanceof Object[] objects) {
            for (Object o : objects) {
                out.add(convert(o));
            }
            return out;
        }
        int n = java.lang.reflect.Array.getLength(array);
        for (int i = 0; i < n; i++) {
            out.add(convert(java.lang.reflect.Array.get(array, i)));
        }
        return out;
    }
}
