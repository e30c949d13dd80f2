package dev.pulse.worker.dlq;

/** Why a record went to the DLQ, as a stable code in the {@code pulse-error-code} header. */
public enum ErrorCode {
    /** The value is not a Pulse envelope (not JSON, a field missing or of the wrong type). */
    MALFORMED_ENVELOPE("malformed-envelope", Stage.DECODE),
    /** The {@code pulse-tenant-id} header is missing or names another tenant than the topic. */
    TENANT_MISMATCH("tenant-mismatch", Stage.TENANT),
    /** The envelope names a dataset the topic's tenant does not have. */
    UNKNOWN_DATASET("unknown-dataset", Stage.DATASET),
    /** The dataset row exists but its table is missing or lies outside the tenant's namespace. */
    DATASET_TABLE_UNAVAILABLE("dataset-table-unavailable", Stage.DATASET),
    /** The event's data does not satisfy the dataset's schema. */
    SCHEMA_VIOLATION("schema-violation", Stage.VALIDATE),
    /**
     * Checking the event against its schema failed unexpectedly (a defect of the worker, not a
     * verdict on the event): the record is set aside with the failure rather than stopping the worker.
     */
    CONVERSION_FAILED("conversion-failed", Stage.VALIDATE),
    /**
     * The event matched its schema but the table cannot hold the row: a value of the wrong type or
     * out of the column's range (the table drifted from the schema), a partition that cannot be
     * computed, or a row the Parquet writer refused.
     */
    UNWRITABLE_VALUE("unwritable-value", Stage.WRITE);

    private final String wireName;
    private final Stage stage;

    ErrorCode(String wireName, Stage stage) {
        this.wireName = wireName;
        this.stage = stage;
    }

    public String wireName() {
        return wireName;
    }

    public Stage stage() {
        return stage;
    }
}
