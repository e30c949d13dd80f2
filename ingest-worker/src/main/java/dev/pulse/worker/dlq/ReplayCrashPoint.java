package dev.pulse.worker.dlq;

/** The moments of a replay chunk where a dying replay leaves the most half-done work behind (for the crash tests). */
public enum ReplayCrashPoint {
    /** The chunk's rows have their sequence number in PostgreSQL; nothing was sent. */
    AFTER_CHUNK_CLAIMED,
    /** The chunk's Kafka transaction committed (records and sequence number); PostgreSQL still says replaying. */
    AFTER_KAFKA_COMMIT
}
