package dev.pulse.worker.consume;

import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.lake.LakeRow;

/** Where one raw record goes: a table, the DLQ, or nowhere yet because its dataset's table is failing. */
sealed interface Routing {
    record ToTable(ResolvedDataset dataset, LakeRow row) implements Routing {
    }

    record ToDeadLetters(DeadLetter deadLetter) implements Routing {
    }

    /**
     * The dataset's table cannot be used right now (its metadata is missing or unreadable): not
     * this record's fault, so not a dead letter; the tenant's partitions wait and retry.
     */
    record TableFailing(TableFailure failure) implements Routing {
    }
}
