package dev.pulse.control.lifecycle.export;

/**
 * The moments of an import where a dying process leaves the most half-done work behind (the crash
 * tests stop the import there and run it again).
 */
public enum ImportCrashPoint {
    /** The tenant, its schemas and datasets exist; no rows yet. */
    AFTER_DEFINITIONS,
    /** A dataset's data files are written into its table's folder; the table commit has not happened. */
    BEFORE_TABLE_COMMIT,
    /** A dataset's rows are committed; the next dataset's are not. */
    AFTER_TABLE_COMMIT;

    /** The hook an import calls at each point; production passes {@link #NONE}. */
    @FunctionalInterface
    public interface Hook {
        void reached(ImportCrashPoint point, String dataset);
    }

    public static final Hook NONE = (point, dataset) -> {
    };
}
