package dev.pulse.worker.lake;

import dev.pulse.worker.WorkerException;

/**
 * The table already holds offsets this batch was about to commit: another worker (or this one
 * before a rebalance) got there first. The batch must be abandoned and the partitions re-sought.
 */
public class StaleBatchException extends WorkerException {
    public StaleBatchException(String message) {
        super(message);
    }
}
