package dev.pulse.worker.consume;

import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.lake.LakeRow;

/** Where one raw record goes: a table or the DLQ. */
sealed interface Routing {
    record ToTable(ResolvedDataset dataset, LakeRow row) implements Routing {
    }

    record ToDeadLetters(DeadLetter deadLetter) implements Routing {
    }
}
