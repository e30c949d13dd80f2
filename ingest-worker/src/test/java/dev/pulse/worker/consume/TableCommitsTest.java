package dev.pulse.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.naming.TenantId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TableCommitsTest {
    private final TableCommits commits = new TableCommits(4);

    @AfterEach
    void close() {
        commits.close();
    }

    private static ResolvedDataset dataset(String slug) {
        return new ResolvedDataset(TenantId.random(), new DatasetRecord(slug, "s", 1, "pulse_x", slug, "day", 0, null, Instant.EPOCH),
                null, null, Map.of(), null);
    }

    private static TableCommits.Task task(String slug, BooleanSupplier commit) {
        return new TableCommits.Task(dataset(slug), commit);
    }

    @Test
    void tablesCommitAtTheSameTime() {
        // Each task waits until all three have started: only a parallel run gets past the latch.
        CountDownLatch started = new CountDownLatch(3);
        BooleanSupplier commit = () -> {
            started.countDown();
            try {
                return started.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        TableCommits.Outcome outcome = commits.run(List.of(task("a", commit), task("b", commit), task("c", commit)));
        assertThat(outcome.refused()).isFalse();
        assertThat(outcome.failures()).isEmpty();
    }

    @Test
    void aTablesOwnFailureHoldsBackOnlyItAndTheOthersStillCommit() {
        AtomicInteger committed = new AtomicInteger();
        TableCommits.Task failing = task("bad", () -> {
            throw new IllegalArgumentException("corrupt metadata");
        });
        TableCommits.Outcome outcome = commits.run(List.of(failing, task("a", () -> committed.incrementAndGet() > 0),
                task("b", () -> committed.incrementAndGet() > 0)));
        assertThat(committed).hasValue(2);
        assertThat(outcome.refused()).isFalse();
        assertThat(outcome.failures()).containsOnlyKeys(failing.dataset());
        assertThat(outcome.failures().get(failing.dataset())).hasMessage("corrupt metadata");
    }

    @Test
    void oneRefusedTableRefusesTheBatch() {
        TableCommits.Outcome outcome = commits.run(List.of(task("a", () -> true), task("stale", () -> false)));
        assertThat(outcome.refused()).isTrue();
    }

    @Test
    void aKillIsThrownOnTheCallersThreadOnlyAfterEveryOtherTableEnded() {
        List<String> ended = java.util.Collections.synchronizedList(new ArrayList<>());
        BooleanSupplier slow = () -> {
            sleep(300);
            ended.add("slow");
            return true;
        };
        TableCommits.Task killed = task("killed", () -> {
            throw new AssertionError("killed at a crash point");
        });
        assertThatThrownBy(() -> commits.run(List.of(killed, task("slow", slow))))
                .isInstanceOf(AssertionError.class).hasMessage("killed at a crash point");
        assertThat(ended).containsExactly("slow");
    }

    @Test
    void aKillOutranksAnInfrastructureFailure() {
        TableCommits.Task lost = task("lost", () -> {
            throw new KafkaException("broker gone");
        });
        TableCommits.Task killed = task("killed", () -> {
            sleep(100);
            throw new AssertionError("killed");
        });
        assertThatThrownBy(() -> commits.run(List.of(lost, killed))).isInstanceOf(AssertionError.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(KafkaException.class));
    }

    @Test
    void anInfrastructureFailureIsThrownAgain() {
        assertThatThrownBy(() -> commits.run(List.of(task("a", () -> true), task("lost", () -> {
            throw new KafkaException("broker gone");
        })))).isInstanceOf(KafkaException.class);
    }

    @Test
    void oneThreadCommitsInOrderOnTheCallersThreadAndStopsAtARefusal() {
        try (TableCommits sequential = new TableCommits(1)) {
            List<String> threads = new ArrayList<>();
            List<String> order = new ArrayList<>();
            TableCommits.Outcome outcome = sequential.run(List.of(
                    task("a", () -> order.add("a") && threads.add(Thread.currentThread().getName())),
                    task("stale", () -> !order.add("stale")),
                    task("c", () -> order.add("c"))));
            assertThat(outcome.refused()).isTrue();
            assertThat(order).containsExactly("a", "stale");
            assertThat(threads).containsExactly(Thread.currentThread().getName());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
