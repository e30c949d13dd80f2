package dev.pulse.worker.lake;

/** The offsets of one Kafka partition a table commit covers: {@code [firstOffset, nextOffset)}, {@code recordCount} rows. */
public record OffsetRange(long firstOffset, long nextOffset, int recordCount) {
    public OffsetRange {
        if (firstOffset < 0 || nextOffset <= firstOffset || recordCount <= 0) {
            throw new IllegalArgumentException("invalid offset range [" + firstOffset + ", " + nextOffset + ") with " + recordCount + " records");
        }
    }
}
