package dev.pulse.query.preview;

import java.util.List;
import java.util.Map;

/**
 * A preview: the dataset, the snapshot it read (null when the table has none), the table's
 * columns, the rows newest first (column name to JSON-ready value), and how many of the
 * snapshot's data files were read out of how many it has.
 */
public record PreviewResult(String dataset, Long snapshotId, List<Column> columns, List<Map<String, Object>> rows,
        int filesRead, int filesInSnapshot) {

    public record Column(String name, String type) {
    }
}
