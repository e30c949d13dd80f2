package dev.pulse.worker;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.consume.CrashPoint;
import dev.pulse.worker.consume.CrashPoints;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Kills one worker at a {@link CrashPoint}, as far as the broker and the stores can tell: the
 * test's side of the worker's crash hook. At the chosen point the loop thread dies on an
 * {@link Error} that nothing in the worker catches, so nothing is cleaned up: no offset commit,
 * no transaction abort, no file deletion, no close. The clients it keeps hold of are then dropped
 * as the broker sees a killed process go.
 */
final class ProcessKill implements CrashPoints, KafkaClients {
    private final BiPredicate<CrashPoint, Set<TenantId>> when;
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile Consumer<byte[], byte[]> consumer;
    private volatile Producer<byte[], byte[]> producer;
    private volatile IngestWorker worker;

    private ProcessKill(BiPredicate<CrashPoint, Set<TenantId>> when) {
        this.when = when;
    }

    /** Kills the worker the first time {@code when} holds for a crash point and the tenants at it. */
    static ProcessKill when(BiPredicate<CrashPoint, Set<TenantId>> when) {
        return new ProcessKill(when);
    }

    /** Kills the worker the first time the tenant's work reaches {@code point}. */
    static ProcessKill at(CrashPoint point, TenantId tenant) {
        return when((reached, tenants) -> reached == point && tenants.contains(tenant));
    }

    IngestWorker start(WorkerConfig config) {
        worker = IngestWorker.start(config, this, this);
        return worker;
    }

    @Override
    public void reached(CrashPoint point, Set<TenantId> tenants) {
        if (when.test(point, tenants) && fired.compareAndSet(false, true)) {
            throw new Killed(point);
        }
    }

    IngestWorker worker() {
        return worker;
    }

    /** True once the worker was killed and its loop thread is gone. */
    boolean killed() {
        return fired.get() && !worker.isRunning();
    }

    /**
     * What the broker notices of the killed process: its consumer stops without committing
     * (auto-commit is off) and without leaving the group, so its member stays until the session
     * timeout. The producer is left as it is: its open transaction stays open until the next
     * worker with the same transactional id fences it.
     */
    void dropConsumer() {
        consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
    }

    /** Test end: drops the fenced producer without aborting anything, then the worker's database, catalog and admin client. */
    void discard() {
        producer.close(Duration.ZERO);
        worker.close();
    }

    @Override
    public Consumer<byte[], byte[]> consumer(Properties properties) {
        consumer = KafkaClients.NEW.consumer(properties);
        return consumer;
    }

    @Override
    public Producer<byte[], byte[]> producer(Properties properties) {
        producer = KafkaClients.NEW.producer(properties);
        return producer;
    }

    /** The process dies here. An {@link Error}, so that no {@code catch (RuntimeException)} on the way handles it. */
    static final class Killed extends Error {
        Killed(CrashPoint point) {
            super("simulated kill at " + point);
        }
    }
}
