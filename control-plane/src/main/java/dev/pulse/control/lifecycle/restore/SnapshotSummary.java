package dev.pulse.control.lifecycle.restore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.control.ControlException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * What a restore reads from and writes to snapshot summaries. The worker owns the offsets
 * contract ({@code dev.pulse.worker.lake.SnapshotOffsets}; the control plane may not depend on the
 * worker, so the three keys it needs are repeated here): {@value #OFFSETS} is the next raw-topic
 * offset per partition the table holds, and a snapshot's map counts when the worker wrote it (no
 * {@value #OFFSETS_OF}) or when its {@value #OFFSETS_OF} names its own parent. A restore snapshot
 * is of the second kind: it carries its parent's map forward unchanged, so the worker never sees
 * the table's offsets go backwards.
 *
 * <p>The {@code pulse.restore.*} keys are the restore's own record, committed in the same atomic
 * swap as the data: a re-run finds them and finishes the job instead of restoring twice.
 */
final class SnapshotSummary {
    static final String OFFSETS = "pulse.kafka.offsets";
    static final String OFFSETS_OF = "pulse.kafka.offsets-of";
    /** The snapshot whose data a restore snapshot holds again. */
    static final String RESTORE_TARGET = "pulse.restore.target-snapshot";
    /** The target's offsets map (what the restored data covers); the removed records are from here to {@value #OFFSETS}. */
    static final String RESTORE_TARGET_OFFSETS = "pulse.restore.target-offsets";
    static final String RESTORE_ACTOR = "pulse.restore.actor";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotSummary() {
    }

    /** Whether this snapshot's offsets map is the table's truth at that snapshot (the worker's rule). */
    static boolean countsOffsets(Snapshot snapshot) {
        if (snapshot.summary().get(OFFSETS) == null) {
            return false;
        }
        String copiedFrom = snapshot.summary().get(OFFSETS_OF);
        return copiedFrom == null || (snapshot.parentId() != null && copiedFrom.equals(Long.toString(snapshot.parentId())));
    }

    /**
     * The newest snapshot at or before {@code from} in its ancestry whose map counts; empty when
     * the ancestry holds none (a table no event reached yet) or is cut by expiry before one.
     */
    static Optional<Snapshot> newestCounting(Table table, Snapshot from) {
        Snapshot snapshot = from;
        while (snapshot != null) {
            if (countsOffsets(snapshot)) {
                return Optional.of(snapshot);
            }
            snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
        }
        return Optional.empty();
    }

    /** Whether the ancestry of {@code from} reaches the table's first snapshot (nothing expired in between). */
    static boolean reachesFirstSnapshot(Table table, Snapshot from) {
        Snapshot snapshot = from;
        while (snapshot.parentId() != null) {
            snapshot = table.snapshot(snapshot.parentId());
            if (snapshot == null) {
                return false;
            }
        }
        return true;
    }

    /** The next offset per partition of {@code rawTopic} in an offsets map as JSON ({@code {"<topic>/<p>": next}}); empty for null. */
    static Map<Integer, Long> rawOffsets(String json, String rawTopic) {
        Map<Integer, Long> out = new TreeMap<>();
        if (json == null) {
            return out;
        }
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ControlException(ControlException.Kind.CONFLICT, "restore-unreadable-offsets", "a snapshot summary's offsets are not JSON: " + json);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            int slash = key.lastIndexOf('/');
            if (slash > 0 && key.substring(0, slash).equals(rawTopic)) {
                out.put(Integer.parseInt(key.substring(slash + 1)), e.getValue().asLong());
            }
        }
        return out;
    }

    static long totalRecords(Snapshot snapshot) {
        return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
    }
}
