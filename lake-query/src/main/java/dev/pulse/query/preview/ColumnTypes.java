package dev.pulse.query.preview;

import java.util.stream.Collectors;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Iceberg types as preview column types: {@code timestamptz}, {@code long}, {@code struct<a: long>}, {@code list<string>}. */
final class ColumnTypes {
    private ColumnTypes() {
    }

    static String render(Type type) {
        return switch (type) {
            case Types.StructType s -> s.fields().stream()
                    .map(f -> f.name() + ": " + render(f.type()))
                    .collect(Collectors.joining(", ", "struct<", ">"));
            case Types.ListType l -> "list<" + render(l.elementType()) + ">";
            case Types.MapType m -> "map<" + render(m.keyType()) + ", " + render(m.valueType()) + ">";
            default -> type.toString();
        };
    }
}
