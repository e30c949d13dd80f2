package dev.pulse.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads by role, for a bench that runs the stack in its own process: on
 * a machine shared with other work, CPU per event says what a change did when events per second
 * mostly say how busy the neighbours were. Threads that ended between two readings are missed.
 */
final class ThreadCpu {
    /** The roles, by thread name: the API's HTTP threads and producer, the worker's loop thread and its table-commit threads. */
    enum Role { API, WORKER, OTHER }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    /** Nanoseconds of CPU per role so far (live threads only). */
    static Map<Role, Long> now() {
        Map<Role, Long> out = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            ThreadInfo info = THREADS.getThreadInfo(id);
            if (cpu > 0 && info != null) {
                out.merge(role(info.getThreadName()), cpu, Long::sum);
            }
        }
        return out;
    }

    /** CPU microseconds per event of every thread of this JVM (the API, the worker, the broker, the bench's clients) between two readings. */
    static double allMicrosPerEvent(Map<Role, Long> before, Map<Role, Long> after, long events) {
        long sum = 0;
        for (Role role : Role.values()) {
            sum += after.getOrDefault(role, 0L) - before.getOrDefault(role, 0L);
        }
        return sum / 1e3 / events;
    }

    /** CPU microseconds per event of {@code role} between two readings. */
    static double microsPerEvent(Map<Role, Long> before, Map<Role, Long> after, Role role, long events) {
        return (after.getOrDefault(role, 0L) - before.getOrDefault(role, 0L)) / 1e3 / events;
    }

    static Role role(String thread) {
        if (thread.startsWith("qtp") || thread.contains("JettyServerThreadPool") || thread.startsWith("kafka-producer-network-thread | pulse-ingest-api")) {
            return Role.API;
        }
        if (thread.startsWith("pulse-ingest-worker") || thread.startsWith("pulse-table-commit-")) {
            return Role.WORKER;
        }
        return Role.OTHER;
    }
}
