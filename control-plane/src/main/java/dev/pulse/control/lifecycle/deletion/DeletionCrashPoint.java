package dev.pulse.control.lifecycle.deletion;

/** The moments where a dying deletion leaves the most half-done work behind (for the crash tests). */
public enum DeletionCrashPoint {
    /** Topics and offsets are gone; tables, files and rows are all still there. */
    AFTER_TOPICS_DELETED,
    /** The lake is empty; every row (the tenant's, its keys, its directory entries) is still there. */
    AFTER_TABLES_DROPPED,
    /** Every row is gone, the slug is free; audit entries, certificate and tombstone are not done. */
    AFTER_ROWS_DELETED,
    /** The certificate file is written; the tombstone is not. */
    AFTER_CERTIFICATE_WRITTEN
}
