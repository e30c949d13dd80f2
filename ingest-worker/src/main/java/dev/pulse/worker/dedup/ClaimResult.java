package dev.pulse.worker.dedup;

import dev.pulse.worker.lake.LakeRow;
import java.util.List;

/** The rows of one table's batch that hold their event id's claim ({@code kept}), and how many were duplicates. */
public record ClaimResult(List<LakeRow> kept, List<LakeRow> duplicates) {
    public ClaimResult {
        kept = List.copyOf(kept);
        duplicates = List.copyOf(duplicates);
    }
}
