package dev.pulse.control.lifecycle.deletion;

/**
 * How far a deletion got, as its job row records it. Each step is idempotent and is recorded only
 * after it finished, so a re-run starts at the first step not recorded and repeats at most a
 * step that was half done.
 */
enum DeletionStep {
    /** The job exists; the tenant is marked {@code deleting} (its keys are refused). */
    STARTED("started"),
    /** Topics, their group offsets and tenant-named groups are gone. */
    TOPICS_DELETED("topics-deleted"),
    /** Tables, files, folder and namespace are gone. */
    TABLES_DROPPED("tables-dropped"),
    /** Every row of every tenant table is gone (the directory's slug and key ids with them). */
    ROWS_DELETED("rows-deleted"),
    /** The tenant's audit entries are gone; next: verify, certificate, tombstone. */
    AUDIT_ERASED("audit-erased");

    private final String wireName;

    DeletionStep(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }

    boolean reached(DeletionStep other) {
        return ordinal() >= other.ordinal();
    }

    static DeletionStep fromWireName(String text) {
        for (DeletionStep s : values()) {
            if (s.wireName.equals(text)) {
                return s;
            }
        }
        throw new IllegalStateException("unknown deletion step '" + text + "'");
    }
}
