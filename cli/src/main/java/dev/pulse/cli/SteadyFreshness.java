package dev.pulse.cli;

import dev.pulse.worker.lake.OffsetRange;
import dev.pulse.worker.lake.SnapshotOffsets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;

/**
 * Freshness under steady load: each tenant gets requests at a fixed pace from a client of its own
 * (the next request waits for the previous 202), and each request's freshness is the time from
 * its 202 until the first table commit that holds all of its events, which is when a preview can
 * see them.
 *
 * <p>Which commit holds an event is read from the table's snapshots, not by polling previews
 * (that would load the machine it measures): the API keys each record by its event id, so the
 * bench knows each event's partition (Kafka's key hash), and one client per tenant means a
 * request's records follow the previous request's in every partition. Request i is visible once
 * every partition's committed next offset reaches its start offset plus the events of requests
 * 0..i there. A snapshot's time is stamped by Iceberg just before its catalog commit.
 */
final class SteadyFreshness {
    private final IngestLoad load;

    SteadyFreshness(IngestLoad load) {
        this.load = load;
    }

    /** One request's events, where they went and when its 202 came. */
    record Sent(IngestLoad.Target target, List<String> eventIds, long ackedAtMillis) {
    }

    /** The figures: per-request freshness percentiles, and the size of the data files committed meanwhile. */
    record Result(long requests, long events, double seconds, double p50Millis, double p99Millis, double maxMillis, long dataFiles,
            double recordsPerFile, double bytesPerFile, long notVisible) {
    }

    /** Sends {@code ratePerSecond} events/s in requests of {@code perRequest} for {@code length}, spread evenly over the targets. */
    List<Sent> drive(List<IngestLoad.Target> targets, int ratePerSecond, int perRequest, Duration length) throws Exception {
        long intervalNanos = (long) (1e9 * perRequest * targets.size() / ratePerSecond);
        long started = System.nanoTime();
        long end = started + length.toNanos();
        List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService clients = Executors.newFixedThreadPool(targets.size())) {
            List<Future<Void>> done = new ArrayList<>();
            for (IngestLoad.Target target : targets) {
                done.add(clients.submit(() -> {
                    for (long next = started; next < end; next += intervalNanos) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // the client's pace
                        }
                        IngestLoad.Request request = load.request(target, perRequest, Instant.now());
                        load.send(request);
                        sent.add(new Sent(target, request.eventIds(), System.currentTimeMillis()));
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        }
        return sent;
    }

    /**
     * Freshness of every request in {@code sent} (in each target's sending order), from the
     * snapshots of each target's table. {@code startOffsets}: each raw partition's log end
     * before the first request.
     */
    static Result measure(List<Sent> sent, Map<IngestLoad.Target, Table> tables, Map<TopicPartition, Long> startOffsets, double seconds) {
        List<Double> freshness = new ArrayList<>();
        long notVisible = 0;
        long events = 0;
        long files = 0;
        long records = 0;
        long bytes = 0;
        for (Map.Entry<IngestLoad.Target, Table> entry : tables.entrySet()) {
            IngestLoad.Target target = entry.getKey();
            Table table = entry.getValue();
            table.refresh();
            List<Snapshot> commits = commitsSince(table, startOffsets, target);
            for (Snapshot s : commits) {
                files += Long.parseLong(s.summary().getOrDefault("added-data-files", "0"));
                records += Long.parseLong(s.summary().getOrDefault("added-records", "0"));
                bytes += Long.parseLong(s.summary().getOrDefault("added-files-size", "0"));
            }
            Map<TopicPartition, Long> required = new HashMap<>();
            int next = 0;
            Map<TopicPartition, Long> committed = new HashMap<>();
            for (Sent request : sent.stream().filter(r -> r.target().equals(target)).toList()) {
                events += request.eventIds().size();
                for (String id : request.eventIds()) {
                    int partition = BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), target.partitions());
                    TopicPartition tp = new TopicPartition(dev.pulse.schemas.naming.Topics.raw(target.id()), partition);
                    required.merge(tp, 1L, Long::sum);
                }
                while (next < commits.size() && !covers(committed, required, startOffsets)) {
                    SnapshotOffsets.commitOf(commits.get(next)).forEach((tp, range) -> committed.merge(tp, range.nextOffset(), Math::max));
                    next++;
                }
                if (covers(committed, required, startOffsets)) {
                    freshness.add((double) (commits.get(next - 1).timestampMillis() - request.ackedAtMillis()));
                } else {
                    notVisible++;
                }
            }
        }
        double[] sorted = freshness.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Result(sent.size(), events, seconds, percentile(sorted, 0.50), percentile(sorted, 0.99),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1], files, files == 0 ? 0 : (double) records / files,
                files == 0 ? 0 : (double) bytes / files, notVisible);
    }

    private static boolean covers(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> required, Map<TopicPartition, Long> start) {
        return required.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= start.getOrDefault(e.getKey(), 0L) + e.getValue());
    }

    /** The worker's commits to {@code table} past the start offsets, oldest first. */
    private static List<Snapshot> commitsSince(Table table, Map<TopicPartition, Long> startOffsets, IngestLoad.Target target) {
        List<Snapshot> out = new ArrayList<>();
        for (Snapshot s = table.currentSnapshot(); s != null; s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
            Map<TopicPartition, OffsetRange> ranges = SnapshotOffsets.commitOf(s);
            if (ranges.isEmpty()) {
                continue;
            }
            boolean before = ranges.entrySet().stream().allMatch(e -> e.getValue().nextOffset() <= startOffsets.getOrDefault(e.getKey(), 0L));
            if (before) {
                break;
            }
            out.add(s);
        }
        Collections.reverse(out);
        return out;
    }

    private static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    static String describe(Result r) {
        return String.format(java.util.Locale.ROOT, "%,d requests (%,d events) in %.1f s: freshness p50 %.0f ms, p99 %.0f ms, max %.0f ms%s; "
                + "%,d data files, %.0f rows and %.1f KB each", r.requests(), r.events(), r.seconds(), r.p50Millis(), r.p99Millis(), r.maxMillis(),
                r.notVisible() > 0 ? " (" + r.notVisible() + " requests not visible)" : "", r.dataFiles(), r.recordsPerFile(), r.bytesPerFile() / 1024);
    }
}
