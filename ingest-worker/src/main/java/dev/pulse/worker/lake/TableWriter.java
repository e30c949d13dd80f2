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
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one batch's rows for one table as Parquet data files, one per partition value. Commits
 * nothing.
 *
 * <p>Rows arrive checked and partitioned by {@link RowPreparer}, so appending one should not fail.
 * If it does anyway, the row is to blame but the file it was going into is not to be trusted (a
 * Parquet row half-buffered, a column writer in an unknown state): every file of this write is
 * deleted, the row is set aside as a {@link RejectedRow}, and the write starts again without it.
 * Failures of the storage itself ({@link IOException}) are not a row's fault and are thrown.
 */
public final class TableWriter {
    private static final Logger LOG = LoggerFactory.getLogger(TableWriter.class);

    private TableWriter() {
    }

    public static TableWriteResult write(Table table, List<LakeRow> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
        }
        List<LakeRow> remaining = new ArrayList<>(rows);
        List<RejectedRow> rejected = new ArrayList<>();
        while (true) {
            Attempt attempt = writeAll(table, remaining);
            if (attempt.failedRow() == null) {
                return result(attempt.files(), remaining, rejected);
            }
            LOG.warn("{}: the Parquet writer refused the row of {} offset {} ({}); rewriting the batch's files without it",
                    table.name(), attempt.failedRow().source(), attempt.failedRow().offset(), attempt.failure());
            rejected.add(new RejectedRow(attempt.failedRow(), "the Parquet writer refused the row: " + attempt.failure()));
            remaining.remove(attempt.failedIndex());
            if (remaining.isEmpty()) {
                return result(List.of(), remaining, rejected);
            }
        }
    }

    /** The files of one pass, or the row that failed it (every file of the pass already deleted). */
    private record Attempt(List<DataFile> files, LakeRow failedRow, int failedIndex, RuntimeException failure) {
    }

    private static Attempt writeAll(Table table, List<LakeRow> rows) {
        PartitionSpec spec = table.spec();
        Map<PartitionKey, List<Integer>> byPartition = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            byPartition.computeIfAbsent(rows.get(i).partition(), k -> new ArrayList<>()).add(i);
        }
        String batchId = UUID.randomUUID().toString();
        // Iceberg's generic writer factory: Parquet with the table's properties (codec, metrics).
        GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build();
        List<DataFile> files = new ArrayList<>();
        List<String> opened = new ArrayList<>();
        int fileIndex = 0;
        DataWriter<Record> writer = null;
        try {
            for (Map.Entry<PartitionKey, List<Integer>> partition : byPartition.entrySet()) {
                String fileName = FileFormat.PARQUET.addExtension("pulse-" + batchId + "-" + fileIndex++);
                OutputFile out = table.io().newOutputFile(table.locationProvider().newDataLocation(spec, partition.getKey(), fileName));
                opened.add(out.location());
                writer = factory.newDataWriter(EncryptedFiles.plainAsEncryptedOutput(out), spec, partition.getKey());
                for (int index : partition.getValue()) {
                    try {
                        writer.write(rows.get(index).row());
                    } catch (UncheckedIOException e) {
                        throw e;
                    } catch (RuntimeException e) { // the value, not the storage: this row's failure
                        closeQuietly(writer);
                        deleteLocations(table, opened);
                        return new Attempt(List.of(), rows.get(index), index, e);
                    }
                }
                writer.close();
                files.add(writer.toDataFile());
                writer = null;
            }
        } catch (IOException | UncheckedIOException e) {
            if (writer != null) {
                closeQuietly(writer);
            }
            deleteLocations(table, opened);
            throw new WorkerException("writing data files for " + table.name() + " failed", e);
        }
        return new Attempt(files, null, -1, null);
    }

    private static TableWriteResult result(List<DataFile> files, List<LakeRow> written, List<RejectedRow> rejected) {
        Map<TopicPartition, long[]> ranges = new LinkedHashMap<>(); // first, last, count
        Instant maxEventTime = null;
        for (LakeRow row : written) {
            long[] range = ranges.computeIfAbsent(row.source(), tp -> new long[] {Long.MAX_VALUE, -1, 0});
            range[0] = Math.min(range[0], row.offset());
            range[1] = Math.max(range[1], row.offset());
            range[2]++;
            if (maxEventTime == null || row.eventTime().isAfter(maxEventTime)) {
                maxEventTime = row.eventTime();
            }
        }
        Map<TopicPartition, OffsetRange> offsetRanges = new LinkedHashMap<>();
        ranges.forEach((tp, r) -> offsetRanges.put(tp, new OffsetRange(r[0], r[1] + 1, (int) r[2])));
        return new TableWriteResult(files, offsetRanges, maxEventTime, rejected);
    }

    private static void closeQuietly(DataWriter<Record> writer) {
        try {
            writer.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing an abandoned data file failed: {}", e.toString());
        }
    }

    /** Removes files of a batch that will never be committed (best effort: orphans are harmless). */
    public static void deleteQuietly(Table table, List<DataFile> files) {
        deleteLocations(table, files.stream().map(DataFile::location).toList());
    }

    private static void deleteLocations(Table table, List<String> locations) {
        for (String location : locations) {
            try {
                table.io().deleteFile(location);
            } catch (RuntimeException e) {
                LOG.warn("could not delete uncommitted file {}: {}", location, e.getMessage());
            }
        }
    }
}
