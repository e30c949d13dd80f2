package dev.pulse.worker.lake;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.kafka.common.TopicPartition;

/**
 * The data files one batch wrote for one table, together with the offsets they cover: nothing
 * may advance an offset past these rows before the files are committed. {@code rejected}: rows the
 * Parquet writer refused, which are in no file and go to the DLQ instead. With every row
 * rejected there are no files and nothing to commit.
 */
public record TableWriteResult(List<DataFile> files, Map<TopicPartition, OffsetRange> ranges, Instant maxEventTime,
        List<RejectedRow> rejected) {
    public TableWriteResult {
        files = List.copyOf(files);
        ranges = Map.copyOf(ranges);
        rejected = List.copyOf(rejected);
    }

    public long recordCount() {
        return ranges.values().stream().mapToLong(OffsetRange::recordCount).sum();
    }
}
