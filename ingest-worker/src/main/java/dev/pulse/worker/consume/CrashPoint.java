package dev.pulse.worker.consume;

/** The moments of a batch where a dying process leaves the most half-done work behind. */
public enum CrashPoint {
    /** The batch's event ids are claimed ({@code pulse.event_ids}), nothing is written: the re-read batch must claim them again as its own. */
    AFTER_EVENT_IDS_CLAIMED,
    /** Data files are on disk, the table commit has not happened: orphan files, nothing visible. */
    AFTER_FILES_WRITTEN,
    /** The table holds the batch, the ledger does not: reconciliation must repair it. */
    AFTER_TABLE_COMMIT,
    /** Tables and ledger hold the batch; DLQ records and offsets sit in an open Kafka transaction. */
    BEFORE_KAFKA_COMMIT
}
