package dev.pulse.worker.lake;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs each task on the thread that submits it, before {@code submit} returns. Given to an
 * Iceberg commit ({@code scanManifestsWith}, {@code writeManifestsWith}) so that its manifest work runs on the worker's
 * thread: with Iceberg's shared pool the committing thread waits in {@code Tasks.waitFor}, which
 * polls its futures every 10 ms, and a commit of one small manifest spent most of its time asleep
 * there. A worker commits one table at a time, so the pool bought no parallelism.
 */
final class CallingThreadExecutor extends AbstractExecutorService {
    static final CallingThreadExecutor INSTANCE = new CallingThreadExecutor();

    private CallingThreadExecutor() {
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    /** Shared and stateless: never shut down. */
    @Override
    public void shutdown() {
        throw new UnsupportedOperationException("the calling-thread executor is shared; it cannot be shut down");
    }

    @Override
    public List<Runnable> shutdownNow() {
        throw new UnsupportedOperationException("the calling-thread executor is shared; it cannot be shut down");
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
