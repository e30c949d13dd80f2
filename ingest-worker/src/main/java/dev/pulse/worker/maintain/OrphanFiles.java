package dev.pulse.worker.maintain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.PartitionStatisticsFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Removes files in a table's folder that nothing references, Spark's {@code DeleteOrphanFiles}
 * without Spark: list the folder, subtract every file reachable from the table's metadata (the
 * current metadata file and its log, every retained snapshot's manifest list, manifests and the
 * data and delete files they list, statistics files), and delete what is left and older than
 * {@code PULSE_ORPHAN_MIN_AGE}. The age is the safety: a worker's batch, or a compaction, writes
 * its files before it commits them, and a commit made after the listing began is not in the
 * metadata read here; both are younger than the window.
 *
 * <p>Only the table's own folder is listed (its location with a trailing {@code /}, so
 * {@code events} never reaches into {@code events_2}); a FileIO without prefix listing is skipped.
 */
public final class OrphanFiles {
    private OrphanFiles() {
    }

    public record OrphanResult(boolean listed, int filesListed, int orphans, int removed, long bytesRemoved, int tooYoung) {
        static final OrphanResult SKIPPED = new OrphanResult(false, 0, 0, 0, 0, 0);
    }

    static OrphanResult run(Table table, Duration minAge, Instant now, boolean dryRun) {
        if (!(table.io() instanceof SupportsPrefixOperations listing)) {
            return OrphanResult.SKIPPED;
        }
        // Listed first, referenced second: a file committed between the two is then known as referenced.
        String folder = table.location().endsWith("/") ? table.location() : table.location() + "/";
        java.util.List<FileInfo> files = new java.util.ArrayList<>();
        listing.listPrefix(folder).forEach(files::add);
        Set<String> referenced = referenced(table);
        long olderThan = now.minus(minAge).toEpochMilli();
        int listed = 0;
        int orphans = 0;
        int removed = 0;
        int young = 0;
        long bytes = 0;
        for (FileInfo file : files) {
            listed++;
            if (referenced.contains(normalize(file.location()))) {
                continue;
            }
            orphans++;
            if (file.createdAtMillis() >= olderThan) {
                young++;
                continue;
            }
            if (!dryRun) {
                table.io().deleteFile(file.location());
            }
            removed++;
            bytes += file.size();
        }
        return new OrphanResult(true, listed, orphans, removed, bytes, young);
    }

    static Set<String> referenced(Table table) {
        table.refresh();
        TableMetadata metadata = ((HasTableOperations) table).operations().current();
        FileIO io = table.io();
        Set<String> out = new HashSet<>();
        out.add(normalize(metadata.metadataFileLocation()));
        metadata.previousFiles().forEach(entry -> out.add(normalize(entry.file())));
        metadata.statisticsFiles().stream().map(StatisticsFile::path).forEach(p -> out.add(normalize(p)));
        metadata.partitionStatisticsFiles().stream().map(PartitionStatisticsFile::path).forEach(p -> out.add(normalize(p)));
        Set<String> manifestsSeen = new HashSet<>();
        for (Snapshot snapshot : metadata.snapshots()) {
            if (snapshot.manifestListLocation() != null) {
                out.add(normalize(snapshot.manifestListLocation()));
            }
            for (ManifestFile manifest : snapshot.allManifests(io)) {
                if (!manifestsSeen.add(manifest.path())) {
                    continue;
                }
                out.add(normalize(manifest.path()));
                try (ManifestReader<? extends ContentFile<?>> reader = manifest.content() == ManifestContent.DATA
                        ? ManifestFiles.read(manifest, io, metadata.specsById())
                        : ManifestFiles.readDeleteManifest(manifest, io, metadata.specsById())) {
                    for (ContentFile<?> file : reader) {
                        out.add(normalize(file.location()));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    /** One spelling per file: {@code file:/a/b} and {@code /a/b} are the same file. */
    static String normalize(String location) {
        if (location.startsWith("file:")) {
            return Path.of(URI.create(location)).normalize().toString();
        }
        if (location.startsWith("/")) {
            return Path.of(location).normalize().toString();
        }
        return location;
    }
}
