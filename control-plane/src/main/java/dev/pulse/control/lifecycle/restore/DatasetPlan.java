package dev.pulse.control.lifecycle.restore;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * What restoring one dataset means, as planned (and shown by {@code --dry-run}): the table's
 * current snapshot, the target, the rows that go, and the raw-topic records the removed rows came
 * from: per partition, from the target's offset ({@code targetOffsets}) to the offset the table
 * holds now ({@code cutOffsets}). {@code restoredBy} is set when an earlier run already committed
 * this restore (the re-run finishes it).
 */
public record DatasetPlan(String dataset, String table, Snap current, Snap target, Map<Integer, Long> targetOffsets,
        Map<Integer, Long> cutOffsets, Long restoredBy) {

    /** A snapshot as the plan names it; {@code id} null for "no snapshot" (an empty table). */
    public record Snap(Long id, Instant at, long rows) {
        ObjectNode toJson() {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            if (id == null) {
                node.putNull("snapshot");
            } else {
                node.put("snapshot", id).put("at", at.toString());
            }
            return node.put("rows", rows);
        }

        @Override
        public String toString() {
            return id == null ? "empty table" : "snapshot " + id + " (" + at + ", " + rows + " rows)";
        }
    }

    /** Whether the table's data already equals the target's (nothing to commit). */
    public boolean unchanged() {
        return restoredBy == null && (current.id() == null || current.id().equals(target.id()));
    }

    /** Rows the restore removes, net: what the table holds now minus what it held then. */
    public long rowsRemoved() {
        return current.rows() - target.rows();
    }

    /** The raw-topic offsets whose records the removed rows came from, per partition: [target, cut). */
    public long offset(Map<Integer, Long> offsets, int partition) {
        return offsets.getOrDefault(partition, 0L);
    }

    /** Records of the raw topic in the removed range, any dataset's. */
    public long rawRecordsInRange() {
        return cutOffsets.entrySet().stream().mapToLong(e -> Math.max(0, e.getValue() - offset(targetOffsets, e.getKey()))).sum();
    }

    ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode().put("dataset", dataset).put("table", table);
        node.set("current", current.toJson());
        node.set("target", target.toJson());
        node.put("rows_removed", rowsRemoved());
        ObjectNode range = node.putObject("raw_range");
        cutOffsets.forEach((p, cut) -> range.putObject(Integer.toString(p)).put("from", offset(targetOffsets, p)).put("to", cut));
        node.put("raw_records_in_range", rawRecordsInRange());
        if (restoredBy != null) {
            node.put("restored_by", restoredBy);
        }
        node.put("unchanged", unchanged());
        return node;
    }

    String describe() {
        StringBuilder s = new StringBuilder(dataset).append(": ");
        if (restoredBy != null) {
            s.append("already restored to ").append(target).append(" by snapshot ").append(restoredBy);
        } else if (unchanged()) {
            s.append("unchanged since ").append(target);
        } else {
            s.append("current ").append(current).append(" -> target ").append(target).append(": ").append(rowsRemoved()).append(" row(s) removed");
        }
        if (!cutOffsets.isEmpty()) {
            s.append("\n  events received after the target: raw partition offsets");
            cutOffsets.forEach((p, cut) -> s.append(' ').append(p).append(':').append(offset(targetOffsets, p)).append('-').append(cut));
            s.append(" (").append(rawRecordsInRange()).append(" raw record(s), any dataset)");
        }
        return s.toString();
    }
}
