package dev.pulse.worker.consume;

import java.util.Set;

/**
 * A partition re-read below its group offset, up to {@code until}, because the tables
 * {@code lostTables} lost a commit: only their rows are landed again.
 */
record Healing(long until, Set<String> lostTables) {
    Healing {
        lostTables = Set.copyOf(lostTables);
    }

    /** True when {@code table} (its name in the tenant's namespace) lost rows of this partition. */
    boolean lost(String table) {
        return lostTables.contains(table);
    }
}
