package dev.pulse.worker.maintain;

import dev.pulse.worker.WorkerException;
import dev.pulse.worker.lake.SnapshotOffsets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the small data files of a partition into files near the target size, with one Iceberg
 * {@link RewriteFiles} commit (no Spark): rows read with Iceberg's generic Parquet reader, written
 * with the same generic writer factory as the worker.
 *
 * <p><b>Which files.</b> Files from 75% of the target size up are left alone. In a partition that
 * still receives files, small files are grouped in size tiers (tier ratio = the minimum number of
 * input files, {@code f}): when a tier holds {@code f} files they become one file of about the next
 * tier. A partition therefore holds at most about {@code f} files per tier and each row is
 * rewritten about once per tier (log_f(target / first file size) times), instead of the newest
 * compacted file being rewritten again at every run. A partition that got no new file for
 * {@code coldAfter} has all its small files merged at once. One run rewrites at most
 * {@code maxInputBytes}.
 *
 * <p><b>Beside ingestion.</b> The rewrite is validated from the snapshot it planned on, so an
 * append committed meanwhile does not conflict (appends add other files); a rewrite whose input
 * files were removed meanwhile fails validation and its output is deleted. The rewrite snapshot
 * copies the offsets map of the snapshot it is committed on top of, naming that snapshot in
 * {@value SnapshotOffsets#OFFSETS_OF}; if an append slipped in between the copy and the commit,
 * the copy names the wrong parent and the worker's lookup walks past it
 * ({@link SnapshotOffsets#carriesOffsets}). The rewrite never changes which rows the table holds,
 * so the worker's stale-batch guard sees the same offsets before and after it.
 */
public final class Compaction {
    private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);
    static final String OPERATION = "pulse.maintenance";
    private static final int COMMIT_ATTEMPTS = 5;
    /** Files below this size are all in the first tier. */
    private static final long TIER_BASE_BYTES = 64 * 1024;

    private Compaction() {
    }

    /** What one run did (or, dry, would do). */
    public record CompactionResult(int groups, int filesRewritten, int filesWritten, long bytesRewritten, long bytesWritten,
            long rowsRewritten, int conflicts) {
        static final CompactionResult NONE = new CompactionResult(0, 0, 0, 0, 0, 0, 0);

        public boolean didWork() {
            return groups > 0;
        }
    }

    /** Small files of one partition (of one spec) to become one file. */
    record Group(int specId, String partition, List<DataFile> files) {
        long bytes() {
            return files.stream().mapToLong(DataFile::fileSizeInBytes).sum();
        }
    }

    static List<Group> plan(Table table, Snapshot base, MaintenanceConfig config, Instant now) {
        long smallBelow = config.targetFileBytes() * 3 / 4;
        Map<String, List<DataFile>> byPartition = new LinkedHashMap<>();
        Map<String, Integer> specOf = new HashMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(base.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                if (!task.deletes().isEmpty()) {
                    continue; // Pulse writes no delete files; never rewrite around someone else's
                }
                PartitionSpec spec = table.specs().get(file.specId());
                String key = file.specId() + ":" + spec.partitionToPath(file.partition());
                byPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(file);
                specOf.put(key, file.specId());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<Long, Long> committedAtBySequence = new HashMap<>();
        for (Snapshot s : table.snapshots()) {
            committedAtBySequence.put(s.sequenceNumber(), s.timestampMillis());
        }
        long coldBefore = now.minus(config.coldAfter()).toEpochMilli();
        List<Group> groups = new ArrayList<>();
        long budget = config.maxInputBytes();
        for (Map.Entry<String, List<DataFile>> partition : byPartition.entrySet()) {
            List<DataFile> small = partition.getValue().stream().filter(f -> f.fileSizeInBytes() < smallBelow).toList();
            if (small.size() < 2) {
                continue;
            }
            // The newest file's commit time; a file whose snapshot expired is old.
            long newest = partition.getValue().stream()
                    .mapToLong(f -> f.fileSequenceNumber() == null ? 0 : committedAtBySequence.getOrDefault(f.fileSequenceNumber(), 0L))
                    .max().orElse(0);
            boolean cold = newest < coldBefore;
            List<List<DataFile>> candidates = new ArrayList<>();
            if (cold) {
                candidates.add(small);
            } else {
                Map<Integer, List<DataFile>> tiers = new java.util.TreeMap<>();
                for (DataFile f : small) {
                    tiers.computeIfAbsent(tier(f.fileSizeInBytes(), config.minInputFiles()), t -> new ArrayList<>()).add(f);
                }
                tiers.values().stream().filter(t -> t.size() >= config.minInputFiles()).forEach(candidates::add);
            }
            for (List<DataFile> candidate : candidates) {
                for (List<DataFile> bin : bins(candidate, config.targetFileBytes())) {
                    boolean full = bin.stream().mapToLong(DataFile::fileSizeInBytes).sum() >= smallBelow;
                    if (bin.size() < 2 || (!cold && !full && bin.size() < config.minInputFiles())) {
                        continue;
                    }
                    Group group = new Group(specOf.get(partition.getKey()), partition.getKey(), bin);
                    if (group.bytes() > budget) {
                        return groups;
                    }
                    budget -= group.bytes();
                    groups.add(group);
                }
            }
        }
        return groups;
    }

    static int tier(long bytes, int ratio) {
        int tier = 0;
        for (long bound = TIER_BASE_BYTES; bytes >= bound && tier < 64; bound *= ratio) {
            tier++;
        }
        return tier;
    }

    /** Files in commit order, cut into bins of at most {@code target} bytes. */
    private static List<List<DataFile>> bins(List<DataFile> files, long target) {
        List<DataFile> ordered = new ArrayList<>(files);
        ordered.sort(Comparator.comparing((DataFile f) -> f.fileSequenceNumber() == null ? 0L : f.fileSequenceNumber())
                .thenComparing(DataFile::location));
        List<List<DataFile>> bins = new ArrayList<>();
        List<DataFile> bin = new ArrayList<>();
        long size = 0;
        for (DataFile f : ordered) {
            if (!bin.isEmpty() && size + f.fileSizeInBytes() > target) {
                bins.add(bin);
                bin = new ArrayList<>();
                size = 0;
            }
            bin.add(f);
            size += f.fileSizeInBytes();
        }
        if (!bin.isEmpty()) {
            bins.add(bin);
        }
        return bins;
    }

    /** Plans and, unless {@code dryRun}, rewrites and commits. */
    static CompactionResult run(Table table, MaintenanceConfig config, Instant now, boolean dryRun) {
        table.refresh();
        Snapshot base = table.currentSnapshot();
        if (base == null) {
            return CompactionResult.NONE;
        }
        List<Group> groups = plan(table, base, config, now);
        if (groups.isEmpty()) {
            return CompactionResult.NONE;
        }
        int inputs = groups.stream().mapToInt(g -> g.files().size()).sum();
        long inputBytes = groups.stream().mapToLong(Group::bytes).sum();
        long inputRows = groups.stream().flatMap(g -> g.files().stream()).mapToLong(DataFile::recordCount).sum();
        if (dryRun) {
            return new CompactionResult(groups.size(), inputs, groups.size(), inputBytes, 0, inputRows, 0);
        }
        Map<Group, DataFile> written = new LinkedHashMap<>();
        try {
            for (Group group : groups) {
                written.put(group, write(table, group));
            }
        } catch (RuntimeException e) {
            deleteQuietly(table, written.values());
            throw e;
        }
        return commit(table, base, written);
    }

    private static DataFile write(Table table, Group group) {
        PartitionSpec spec = table.specs().get(group.specId());
        Schema schema = table.schema();
        DataFile first = group.files().getFirst();
        String fileName = FileFormat.PARQUET.addExtension("pulse-compacted-" + UUID.randomUUID());
        OutputFile out = table.io().newOutputFile(table.locationProvider().newDataLocation(spec, first.partition(), fileName));
        GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET)
                .dataSchema(schema).build();
        DataWriter<Record> writer = factory.newDataWriter(EncryptedFiles.plainAsEncryptedOutput(out), spec, first.partition());
        long rows = 0;
        try {
            try (DataWriter<Record> w = writer) {
                for (DataFile input : group.files()) {
                    // Iceberg's generic Parquet reader, by the table's current schema (columns added since read as null).
                    try (CloseableIterable<Record> records = FormatModelRegistry.<Record, Object>readBuilder(FileFormat.PARQUET, Record.class,
                                    table.io().newInputFile(input.location(), input.fileSizeInBytes()))
                            .project(schema)
                            .build()) {
                        for (Record r : records) {
                            w.write(r);
                            rows++;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(table, List.of(out.location()));
            throw new WorkerException("compacting " + group.files().size() + " files of " + table.name() + " failed", e);
        }
        long expected = group.files().stream().mapToLong(DataFile::recordCount).sum();
        DataFile result = writer.toDataFile();
        if (rows != expected || result.recordCount() != expected) {
            deleteQuietly(table, List.of(out.location()));
            throw new WorkerException("compacting " + table.name() + ": read " + rows + " rows, the manifests say " + expected);
        }
        return result;
    }

    private static CompactionResult commit(Table table, Snapshot base, Map<Group, DataFile> written) {
        int conflicts = 0;
        for (int attempt = 1; ; attempt++) {
            table.refresh();
            Snapshot head = table.currentSnapshot();
            RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(base.snapshotId());
            written.forEach((group, output) -> rewrite.rewriteFiles(Set.copyOf(group.files()), Set.of(output)));
            rewrite.set(OPERATION, "compaction");
            // Carried forward from the snapshot this commit should land on (see the class doc).
            rewrite.set(SnapshotOffsets.OFFSETS, SnapshotOffsets.formatOffsets(SnapshotOffsets.stored(table)));
            rewrite.set(SnapshotOffsets.OFFSETS_OF, Long.toString(head.snapshotId()));
            try {
                rewrite.commit();
                int inputs = written.keySet().stream().mapToInt(g -> g.files().size()).sum();
                long inputBytes = written.keySet().stream().mapToLong(Group::bytes).sum();
                long outputBytes = written.values().stream().mapToLong(DataFile::fileSizeInBytes).sum();
                long rows = written.values().stream().mapToLong(DataFile::recordCount).sum();
                return new CompactionResult(written.size(), inputs, written.size(), inputBytes, outputBytes, rows, conflicts);
            } catch (CommitFailedException e) {
                // The worker committed between our refresh and our swap: try again on top of it.
                conflicts++;
                if (attempt == COMMIT_ATTEMPTS) {
                    deleteQuietly(table, written.values());
                    LOG.info("{}: compaction gave up after {} commit conflicts; next run plans again", table.name(), conflicts);
                    return new CompactionResult(0, 0, 0, 0, 0, 0, conflicts);
                }
            } catch (ValidationException e) {
                // Another maintainer (or an operator) removed an input file meanwhile.
                deleteQuietly(table, written.values());
                LOG.info("{}: compaction no longer applies ({}); next run plans again", table.name(), e.getMessage());
                return new CompactionResult(0, 0, 0, 0, 0, 0, conflicts + 1);
            } catch (CommitStateUnknownException e) {
                // Maybe committed: the output files stay; if the commit did not land they are orphans.
                throw e;
            }
        }
    }

    private static void deleteQuietly(Table table, java.util.Collection<DataFile> files) {
        deleteQuietly(table, files.stream().map(DataFile::location).toList());
    }

    private static void deleteQuietly(Table table, List<String> locations) {
        for (String location : locations) {
            try {
                table.io().deleteFile(location);
            } catch (RuntimeException e) {
                LOG.warn("could not delete uncommitted compaction output {}: {}", location, e.getMessage());
            }
        }
    }
}
