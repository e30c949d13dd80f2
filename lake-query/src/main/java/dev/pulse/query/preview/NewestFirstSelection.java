package dev.pulse.query.preview;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the data files that can hold the newest {@code limit} rows by {@code event_time}, from the
 * manifests' bounds and row counts alone, so a preview of a large table reads a few files.
 *
 * <p>Take files by upper bound, newest first, until their row counts reach the limit. Every row
 * of those files is at or after {@code m}, the smallest lower bound among them, and there are at
 * least {@code limit} such rows; so a file whose upper bound is below {@code m} cannot hold one of
 * the newest {@code limit} rows. Every other file (upper bound at or after {@code m}) is added,
 * ties included, because the final order also breaks ties by {@code event_id}. A file without
 * bounds is always read: nothing proves it unnecessary.
 */
final class NewestFirstSelection {
    private static final Comparator<DataFileCandidate> NEWEST_FIRST = Comparator
            .comparing(DataFileCandidate::upperMicros, Comparator.reverseOrder())
            .thenComparing(DataFileCandidate::lowerMicros, Comparator.reverseOrder())
            .thenComparing(c -> c.path().toString());

    private NewestFirstSelection() {
    }

    static List<DataFileCandidate> select(List<DataFileCandidate> files, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        List<DataFileCandidate> bounded = new ArrayList<>();
        List<DataFileCandidate> unbounded = new ArrayList<>();
        for (DataFileCandidate f : files) {
            (f.hasBounds() ? bounded : unbounded).add(f);
        }
        bounded.sort(NEWEST_FIRST);

        List<DataFileCandidate> selected = new ArrayList<>();
        long rows = 0;
        int next = 0;
        while (next < bounded.size() && rows < limit) {
            DataFileCandidate f = bounded.get(next++);
            selected.add(f);
            rows += f.recordCount();
        }
        if (!selected.isEmpty()) {
            long floor = selected.stream().mapToLong(DataFileCandidate::lowerMicros).min().orElseThrow();
            for (int i = next; i < bounded.size(); i++) {
                if (bounded.get(i).upperMicros() >= floor) {
                    selected.add(bounded.get(i));
                }
            }
        }
        selected.addAll(unbounded);
        return selected;
    }
}
