package dev.pulse.query.sandbox;

import java.util.List;

/**
 * What a statement returned: its columns (name and DuckDB type) and its rows, each value already
 * converted to a JSON-ready Java value (see {@link JsonValues}). A statement without a result set
 * (a SET, a CREATE) has no columns and no rows.
 */
public record SandboxResult(List<Column> columns, List<List<Object>> rows) {
    public record Column(String name, String type) {
    }

    public static SandboxResult empty() {
        return new SandboxResult(List.of(), List.of());
    }
}
