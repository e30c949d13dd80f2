package dev.pulse.worker.lake;

/** A row the Parquet writer refused although {@link RowPreparer} passed it: a dead letter at the write stage. */
public record RejectedRow(LakeRow row, String reason) {
}
