package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.dlq.DeadLetter;
import java.time.Duration;
import java.util.List;

/**
 * Where the loop reports what it did, for the worker's {@code GET /metrics}: three calls on the
 * loop thread, each after the fact it reports, none of which may throw or block. The gauges
 * (consumer lag, freshness) are read from outside the loop and need no call here.
 */
public interface LoopMetrics {
    /** Reports nothing: for loops without metrics. */
    LoopMetrics NONE = new LoopMetrics() {
    };

    /** A batch of {@code records} was planned and committed (or abandoned, to be read again) in {@code took}. */
    default void batchDone(int records, Duration took) {
    }

    /** {@code rows} of {@code tenant} landed in a table: files written, table committed and ledger recorded in {@code took}. */
    default void tableCommitted(TenantId tenant, long rows, Duration took) {
    }

    /** The batch's Kafka transaction committed {@code deadLetters} (and the group offsets) in {@code took}. */
    default void kafkaCommitted(List<DeadLetter> deadLetters, Duration took) {
    }
}
