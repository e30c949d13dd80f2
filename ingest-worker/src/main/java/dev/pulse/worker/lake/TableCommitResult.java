package dev.pulse.worker.lake;

import java.time.Instant;

/** The snapshot a batch's append became. */
public record TableCommitResult(long snapshotId, Instant committedAt) {
}
