package dev.pulse.worker.lake;

import dev.pulse.worker.WorkerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.kafka.common.TopicPartition;

/** Writes one batch's rows for one table as Parquet data files, one per partition value. Commits nothing. */
public final class TableWriter {
    private TableWriter() {
    }

    public static TableWriteResult write(Table table, List<LakeRow> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
        }
        PartitionSpec spec = table.spec();
        PartitionKey key = new PartitionKey(spec, table.schema());
        // Partition transforms work on Iceberg's internal representation (micros), not OffsetDateTime.
        InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
        Map<PartitionKey, List<Record>> byPartition = new LinkedHashMap<>();
        Map<TopicPartition, long[]> ranges = new LinkedHashMap<>(); // first, last, count
        Instant maxEventTime = null;
        for (LakeRow row : rows) {
            key.partition(wrapper.wrap(row.row()));
            List<Record> partitionRows = byPartition.get(key);
            if (partitionRows == null) {
                partitionRows = new ArrayList<>();
                byPartition.put(key.copy(), partitionRows);
            }
            partitionRows.add(row.row());
            long[] range = ranges.computeIfAbsent(row.source(), tp -> new long[] {Long.MAX_VALUE, -1, 0});
            range[0] = Math.min(range[0], row.offset());
            range[1] = Math.max(range[1], row.offset());
            range[2]++;
            if (maxEventTime == null || row.eventTime().isAfter(maxEventTime)) {
                maxEventTime = row.eventTime();
            }
        }
        String batchId = UUID.randomUUID().toString();
        // Iceberg's generic writer factory: Parquet with the table's properties (codec, metrics).
        GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build();
        List<DataFile> files = new ArrayList<>();
        int fileIndex = 0;
        try {
            for (Map.Entry<PartitionKey, List<Record>> partition : byPartition.entrySet()) {
                String fileName = FileFormat.PARQUET.addExtension("pulse-" + batchId + "-" + fileIndex++);
                OutputFile out = table.io().newOutputFile(table.locationProvider().newDataLocation(spec, partition.getKey(), fileName));
                DataWriter<Record> writer = factory.newDataWriter(EncryptedFiles.plainAsEncryptedOutput(out), spec, partition.getKey());
                try (writer) {
                    for (Record r : partition.getValue()) {
                        writer.write(r);
                    }
                }
                files.add(writer.toDataFile());
            }
        } catch (IOException | UncheckedIOException e) {
            deleteQuietly(table, files);
            throw new WorkerException("writing data files for " + table.name() + " failed", e);
        }
        Map<TopicPartition, OffsetRange> offsetRanges = new LinkedHashMap<>();
        ranges.forEach((tp, r) -> offsetRanges.put(tp, new OffsetRange(r[0], r[1] + 1, (int) r[2])));
        return new TableWriteResult(files, offsetRanges, maxEventTime);
    }

    /** Removes files of a batch that will never be committed (best effort: orphans are harmless). */
    public static void deleteQuietly(Table table, List<DataFile> files) {
        for (DataFile f : files) {
            try {
                table.io().deleteFile(f.location());
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(TableWriter.class).warn("could not delete uncommitted file {}: {}", f.location(), e.getMessage());
            }
        }
    }
}
