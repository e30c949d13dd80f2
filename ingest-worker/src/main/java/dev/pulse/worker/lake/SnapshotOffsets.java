package dev.pulse.worker.lake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.worker.WorkerException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.common.TopicPartition;

/**
 * What a table's snapshot summaries say about Kafka: the truth about which records a table holds.
 *
 * <ul>
 *   <li>{@value #OFFSETS}: {@code {"<topic>/<partition>": nextOffset}} for every partition that ever
 *       wrote to the table, carried forward so the newest pulse snapshot holds the whole map;</li>
 *   <li>{@value #COMMIT}: {@code {"<topic>/<partition>": {"first":…, "next":…, "count":…}}}, the
 *       ranges of this commit only, from which the ledger is rebuilt;</li>
 *   <li>{@value #MAX_EVENT_TIME}: the newest event time this commit wrote;</li>
 *   <li>{@value #OFFSETS_OF}: only on snapshots lake maintenance made (a compaction): the id of
 *       the snapshot whose map it carried forward in {@value #OFFSETS}.</li>
 * </ul>
 *
 * <p><b>Which snapshot's map counts</b> ({@link #carriesOffsets}): a snapshot the worker committed
 * (it has a map and no {@value #OFFSETS_OF}); or a maintenance snapshot whose {@value #OFFSETS_OF}
 * is its own parent, i.e. nothing was committed between the snapshot whose map it copied and
 * itself. A compaction that raced an append lands on a parent other than the one it copied from;
 * its map may then be stale, so it is walked past and the append's map counts. Lake maintenance
 * never expires the snapshot whose map counts (see {@code worker.maintain}).
 */
public final class SnapshotOffsets {
    public static final String OFFSETS = "pulse.kafka.offsets";
    public static final String COMMIT = "pulse.kafka.commit";
    public static final String MAX_EVENT_TIME = "pulse.max-event-time";
    public static final String COMMIT_ID = "pulse.commit-id";
    public static final String OFFSETS_OF = "pulse.kafka.offsets-of";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SnapshotOffsets() {
    }

    /**
     * The next offset to read per partition, from the newest snapshot in the current ancestry whose
     * map counts ({@link #carriesOffsets}). Snapshots written by others carry none and are walked past.
     */
    public static Map<TopicPartition, Long> stored(Table table) {
        return newestWithOffsets(table).map(s -> parseOffsets(s.summary().get(OFFSETS))).orElse(Map.of());
    }

    /** The newest snapshot of the current ancestry whose offsets map counts: the exactly-once truth. */
    public static Optional<Snapshot> newestWithOffsets(Table table) {
        Snapshot snapshot = table.currentSnapshot();
        while (snapshot != null) {
            if (carriesOffsets(snapshot)) {
                return Optional.of(snapshot);
            }
            snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
        }
        return Optional.empty();
    }

    /**
     * Whether this snapshot's map says what the table holds: the worker's own commits always;
     * a maintenance snapshot only when it copied the map from its own parent.
     */
    public static boolean carriesOffsets(Snapshot snapshot) {
        if (snapshot.summary().get(OFFSETS) == null) {
            return false;
        }
        String copiedFrom = snapshot.summary().get(OFFSETS_OF);
        return copiedFrom == null || (snapshot.parentId() != null && copiedFrom.equals(Long.toString(snapshot.parentId())));
    }

    /**
     * How far the table holds {@code tp}, given its newest map {@code stored} and what a claim
     * says it held ({@code claimed}): the map's offset, unless that is below the claim; then the
     * next offset of the newest commit of {@code tp} still in the current ancestry, if larger.
     * Workers before the fix of issue 15 could append on top of a commit they had not seen and take
     * its partitions back in the newest map, while the commit itself stayed in the table; a commit
     * the catalog lost is gone from the ancestry too, so it still shows as a gap. The walk runs
     * only on such a gap (rare), back to the partition's newest commit.
     */
    public static long heldThrough(Table table, Map<TopicPartition, Long> stored, TopicPartition tp, long claimed) {
        long mapped = stored.getOrDefault(tp, 0L);
        if (mapped >= claimed) {
            return mapped;
        }
        for (Snapshot s = table.currentSnapshot(); s != null; s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
            OffsetRange range = commitOf(s).get(tp);
            if (range != null) {
                return Math.max(mapped, range.nextOffset());
            }
        }
        return mapped;
    }

    /** The offsets map one snapshot stores (empty without one); whether it counts is {@link #carriesOffsets}. */
    public static Map<TopicPartition, Long> offsetsOf(Snapshot snapshot) {
        String json = snapshot.summary().get(OFFSETS);
        return json == null ? Map.of() : parseOffsets(json);
    }

    private static Map<TopicPartition, Long> parseOffsets(String json) {
        Map<TopicPartition, Long> out = new TreeMap<>(SnapshotOffsets::compare);
        JsonNode node = read(json);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(partition(e.getKey()), e.getValue().asLong());
        }
        return out;
    }

    public static String formatOffsets(Map<TopicPartition, Long> offsets) {
        ObjectNode node = MAPPER.createObjectNode();
        new TreeMap<>(offsets.entrySet().stream().collect(java.util.stream.Collectors.toMap(e -> key(e.getKey()), Map.Entry::getValue)))
                .forEach(node::put);
        return node.toString();
    }

    public static String formatCommit(Map<TopicPartition, OffsetRange> ranges) {
        ObjectNode node = MAPPER.createObjectNode();
        ranges.forEach((tp, r) -> node.putObject(key(tp)).put("first", r.firstOffset()).put("next", r.nextOffset()).put("count", r.recordCount()));
        return node.toString();
    }

    /** The ranges one snapshot committed, empty for snapshots Pulse did not write. */
    public static Map<TopicPartition, OffsetRange> commitOf(Snapshot snapshot) {
        String json = snapshot.summary().get(COMMIT);
        if (json == null) {
            return Map.of();
        }
        Map<TopicPartition, OffsetRange> out = new TreeMap<>(SnapshotOffsets::compare);
        JsonNode node = read(json);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode r = e.getValue();
            out.put(partition(e.getKey()), new OffsetRange(r.path("first").asLong(), r.path("next").asLong(), r.path("count").asInt()));
        }
        return out;
    }

    public static Optional<Instant> maxEventTimeOf(Snapshot snapshot) {
        return Optional.ofNullable(snapshot.summary().get(MAX_EVENT_TIME)).map(Instant::parse);
    }

    static String key(TopicPartition tp) {
        return tp.topic() + "/" + tp.partition();
    }

    static TopicPartition partition(String key) {
        int slash = key.lastIndexOf('/');
        if (slash <= 0) {
            throw new WorkerException("snapshot summary names no partition: '" + key + "'");
        }
        return new TopicPartition(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)));
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new WorkerException("snapshot summary is not JSON: " + json, e);
        }
    }

    static int compare(TopicPartition a, TopicPartition b) {
        int byTopic = a.topic().compareTo(b.topic());
        return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
    }
}
