package dev.pulse.worker.consume;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Runs the table commits of one batch, up to {@code threads} at once. A table's commit is mostly
 * durable I/O in sequence (event-id claims, the Parquet file, manifest, manifest list and metadata
 * file, the catalog row, the ledger row), and the tables of a batch are independent of each other:
 * each has its own claims, files, catalog row and ledger rows, and the batch's Kafka transaction
 * comes after all of them. So a batch takes about as long as its longest table instead of the sum,
 * and a quiet tenant's few rows commit beside a flooding tenant's thousands.
 *
 * <p>{@link #run} returns only when every task has ended, whatever happened: the loop never goes
 * on (seeks, transactions, the next poll) while a table of the batch is still being written. What
 * a task threw decides the outcome, as it did when the tables committed one after the other:
 * <ul>
 *   <li>an {@link Error} (a crash test's kill, the JVM's trouble) is thrown again on the loop's
 *       thread, which dies of it as it would have in place;</li>
 *   <li>an infrastructure failure ({@link Failures#isInfrastructure}) is thrown again: the loop
 *       gives up, as before;</li>
 *   <li>any other exception is the table's own trouble: its tenant is held back and paused;</li>
 *   <li>a task that returns false (the guard refused the table commit: the batch is stale) makes
 *       the whole batch refused, the other tables having committed or not as they went — the same
 *       states as a crash between two tables, which the protocol already recovers from.</li>
 * </ul>
 */
final class TableCommits implements AutoCloseable {
    /** One table's commit: true when done (or nothing to do), false when the guard refused it. */
    record Task(ResolvedDataset dataset, BooleanSupplier commit) {
    }

    /** What the batch's table commits came to: {@code refused} if any was refused; the tables that failed on their own. */
    record Outcome(boolean refused, Map<ResolvedDataset, RuntimeException> failures) {
    }

    private final ExecutorService pool;

    TableCommits(int threads) {
        AtomicInteger n = new AtomicInteger();
        this.pool = threads <= 1 ? null : Executors.newFixedThreadPool(threads, r -> Thread.ofPlatform()
                .name("pulse-table-commit-" + n.incrementAndGet()).daemon(true).unstarted(r));
    }

    /** Runs the tasks and returns when every one has ended. */
    Outcome run(List<Task> tasks) {
        return start(tasks).await();
    }

    /**
     * Starts the tasks on the commit threads and returns at once; {@link Pending#await} ends them.
     * With one thread, or one task, they run here before this returns (nothing is left pending).
     */
    Pending start(List<Task> tasks) {
        if (pool == null || tasks.size() <= 1) {
            Outcome done = inPlace(tasks);
            return new Pending(Map.of(), done);
        }
        Map<Task, Future<Boolean>> running = new LinkedHashMap<>();
        for (Task task : tasks) {
            running.put(task, pool.submit(() -> task.commit().getAsBoolean()));
        }
        return new Pending(running, null);
    }

    /** A batch's table commits under way. */
    static final class Pending {
        private final Map<Task, Future<Boolean>> running;
        private final Outcome done;

        private Pending(Map<Task, Future<Boolean>> running, Outcome done) {
            this.running = running;
            this.done = done;
        }

        /** True when every task has ended ({@link #await} will not wait). */
        boolean isDone() {
            return running.values().stream().allMatch(Future::isDone);
        }

        /** Waits for every task to end; then throws or returns as the class documentation says. */
        Outcome await() {
            if (done != null) {
                return done;
            }
            boolean refused = false;
            Map<ResolvedDataset, RuntimeException> failures = new LinkedHashMap<>();
            List<Throwable> fatal = new ArrayList<>();
            for (Map.Entry<Task, Future<Boolean>> entry : running.entrySet()) {
                try {
                    refused |= !awaitUninterruptibly(entry.getValue());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re && !Failures.isInfrastructure(re)) {
                        failures.put(entry.getKey().dataset(), re);
                    } else {
                        fatal.add(cause);
                    }
                }
            }
            if (!fatal.isEmpty()) {
                throw rethrow(fatal);
            }
            return new Outcome(refused, failures);
        }
    }

    /** One table, or one thread: on the loop's own thread, in order, stopping at the first refusal as a sequential batch does. */
    private static Outcome inPlace(List<Task> tasks) {
        Map<ResolvedDataset, RuntimeException> failures = new LinkedHashMap<>();
        for (Task task : tasks) {
            try {
                if (!task.commit().getAsBoolean()) {
                    return new Outcome(true, failures);
                }
            } catch (RuntimeException e) {
                if (Failures.isInfrastructure(e)) {
                    throw e;
                }
                failures.put(task.dataset(), e);
            }
        }
        return new Outcome(false, failures);
    }

    private static boolean awaitUninterruptibly(Future<Boolean> future) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The first Error if any (a kill outranks a failure), else the first failure; the others suppressed. */
    private static RuntimeException rethrow(List<Throwable> fatal) {
        Throwable first = fatal.stream().filter(Error.class::isInstance).findFirst().orElse(fatal.getFirst());
        fatal.stream().filter(t -> t != first).forEach(first::addSuppressed);
        if (first instanceof Error error) {
            throw error;
        }
        if (first instanceof RuntimeException re) {
            return re;
        }
        return new IllegalStateException("table commit failed", first);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
