package dev.pulse.query.preview;

import java.nio.file.Path;

/**
 * A data file of the snapshot as the newest-first selection sees it: where it is (checked, in the
 * warehouse's space; and its location as Iceberg wrote it), its length, how many rows it holds,
 * and the {@code event_time} bounds from the manifest (microseconds since the epoch; null when the
 * manifest carries none).
 */
record DataFileCandidate(Path path, String location, long length, long recordCount, Long lowerMicros, Long upperMicros) {
    boolean hasBounds() {
        return lowerMicros != null && upperMicros != null;
    }
}
