package dev.pulse.query.preview;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A preview: the dataset, the snapshot it read (null when the table has none), the table's
 * columns, the rows newest first (column name to JSON-ready value), how many of the snapshot's
 * data files were read out of how many it has, and the instant the snapshot is complete through
 * (every event Kafka acknowledged before it is in the snapshot or the DLQ; null when unknown).
 */
public record PreviewResult(String dataset, Long snapshotId, List<Column> columns, List<Map<String, Object>> rows,
        int filesRead, int filesInSnapshot, Instant completeThrough) {

    PreviewResult withCompleteThrough(Instant instant) {
        return new PreviewResult(dataset, snapshotId, columns, rows, filesRead, filesInSnapshot, instant);
    }

    public record Column(String name, String type) {
    }
}
