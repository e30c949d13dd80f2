package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How a verb prints its result: with --json exactly one JSON document (object or array) on
 * stdout, else a readable line or an aligned table.
 */
final class Output {
    private Output() {
    }

    static void print(PrintWriter out, boolean json, JsonNode result, String readable) {
        out.println(json ? result.toString() : readable);
        out.flush();
    }

    /** One table column: its header and how to read its cell from a row object. */
    record Column(String header, Function<JsonNode, String> cell) {
        static Column of(String header, String field) {
            return new Column(header, row -> text(row.path(field)));
        }
    }

    /** An array result: the JSON array with --json, else a table with one line per element. */
    static void table(PrintWriter out, boolean json, JsonNode rows, List<Column> columns) {
        if (json) {
            print(out, true, rows, null);
            return;
        }
        List<List<String>> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::header).toList());
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(c -> c.cell().apply(row)).toList());
        }
        int[] widths = new int[columns.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        for (List<String> line : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                String cell = line.get(i);
                sb.append(cell);
                if (i < line.size() - 1) {
                    sb.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
        if (rows.isEmpty()) {
            out.println("(none)");
        }
        out.flush();
    }

    /** A field as table text: "-" for null or missing, arrays joined with commas. */
    static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "-";
        }
        if (node.isArray()) {
            List<String> parts = new ArrayList<>();
            node.forEach(n -> parts.add(n.asText()));
            return String.join(",", parts);
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }
}
