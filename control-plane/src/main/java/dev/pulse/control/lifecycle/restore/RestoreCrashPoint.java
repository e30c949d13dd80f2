package dev.pulse.control.lifecycle.restore;

/**
 * The moments between a restore's writes where the crash tests stop it; in production the hook
 * does nothing. A re-run of the same command after a stop at any of them finishes the job.
 */
public enum RestoreCrashPoint {
    /** The table holds the target's data again; the removed events' dedup claims are still there. */
    AFTER_TABLE_COMMIT,
    /** One chunk of the re-ingest was sent and its progress committed with it; more are due. */
    AFTER_REINGEST_CHUNK;

    /** Called at each point; a test's hook throws to stop the job there. */
    @FunctionalInterface
    public interface Hook {
        Hook NONE = point -> { };

        void reached(RestoreCrashPoint point);
    }
}
