package dev.pulse.schemas.lake;

import java.time.Instant;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * What a dataset's table costs, as {@code pulse dataset show} reports it: data files and their
 * average size (from the current snapshot's summary, no manifest read), snapshots, the current
 * metadata file's size and the whole metadata folder's (null when the FileIO cannot list), and what
 * lake maintenance last did ({@code pulse.dataset_maintenance}).
 */
public record TableStats(long dataFiles, long dataBytes, int snapshots, long currentMetadataBytes, Long metadataFolderBytes,
        Instant lastCompactionAt, String lastCompaction, Instant lastExpiryAt, String lastExpiry) {

    public long averageFileBytes() {
        return dataFiles == 0 ? 0 : dataBytes / dataFiles;
    }

    /** The table's side; the maintenance side is filled in by {@link #withMaintenance}. */
    public static TableStats of(Table table) {
        Snapshot current = table.currentSnapshot();
        long files = current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-data-files", "0"));
        long bytes = current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-files-size", "0"));
        int snapshots = 0;
        for (Snapshot ignored : table.snapshots()) {
            snapshots++;
        }
        String metadataFile = ((HasTableOperations) table).operations().current().metadataFileLocation();
        long currentBytes = metadataFile == null ? 0 : table.io().newInputFile(metadataFile).getLength();
        Long folderBytes = null;
        if (table.io() instanceof SupportsPrefixOperations listing) {
            String root = table.location().endsWith("/") ? table.location() : table.location() + "/";
            long sum = 0;
            for (FileInfo f : listing.listPrefix(root + "metadata/")) {
                sum += f.size();
            }
            folderBytes = sum;
        }
        return new TableStats(files, bytes, snapshots, currentBytes, folderBytes, null, null, null, null);
    }

    public TableStats withMaintenance(Instant lastCompactionAt, String lastCompaction, Instant lastExpiryAt, String lastExpiry) {
        return new TableStats(dataFiles, dataBytes, snapshots, currentMetadataBytes, metadataFolderBytes, lastCompactionAt, lastCompaction,
                lastExpiryAt, lastExpiry);
    }
}
