package dev.pulse.worker.maintain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
        Set<String> out = new HashSet<>(referencedBySnapshots(metadata, table.io()));
        out.addAll(metadataLog(metadata));
        return out;
    }

    /** The table's current metadata file and the previous ones its log keeps: every metadata file that counts. */
    static Set<String> metadataLog(TableMetadata metadata) {
        Set<String> out = new HashSet<>();
        out.add(normalize(metadata.metadataFileLocation()));
        metadata.previousFiles().forEach(entry -> out.add(normalize(entry.file())));
        return out;
    }

    /**
     * Every file the snapshots of {@code metadata} reach: manifest lists, manifests, the data and
     * delete files they list, statistics files. Manifests never change once written, so what one
     * lists is cached by its path and each is read once.
     */
    static Set<String> referencedBySnapshots(TableMetadata metadata, FileIO io) {
        Set<String> out = new HashSet<>();
        metadata.statisticsFiles().stream().map(StatisticsFile::path).forEach(p -> out.add(normalize(p)));
        metadata.partitionStatisticsFiles().stream().map(PartitionStatisticsFile::path).forEach(p -> out.add(normalize(p)));
        Set<String> manifestsSeen = new HashSet<>();
        for (Snapshot snapshot : metadata.snapshots()) {
            if (snapshot.manifestListLocation() != null) {
                out.add(normalize(snapshot.manifestListLocation()));
            }
            for (ManifestFile manifest : snapshot.allManifests(io)) {
                if (manifestsSeen.add(manifest.path())) {
                    out.add(normalize(manifest.path()));
                    out.addAll(filesOf(manifest, io, metadata));
                }
            }
        }
        return out;
    }

    private static final int CACHED_MANIFESTS = 20_000;
    private static final Map<String, List<String>> FILES_OF_MANIFEST = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
                    return size() > CACHED_MANIFESTS;
                }
            });

    private static List<String> filesOf(ManifestFile manifest, FileIO io, TableMetadata metadata) {
        List<String> cached = FILES_OF_MANIFEST.get(manifest.path());
        if (cached != null) {
            return cached;
        }
        List<String> files = new java.util.ArrayList<>();
        try (ManifestReader<? extends ContentFile<?>> reader = manifest.content() == ManifestContent.DATA
                ? ManifestFiles.read(manifest, io, metadata.specsById())
                : ManifestFiles.readDeleteManifest(manifest, io, metadata.specsById())) {
            for (ContentFile<?> file : reader) {
                files.add(normalize(file.location()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> immutable = List.copyOf(files);
        FILES_OF_MANIFEST.put(manifest.path(), immutable);
        return immutable;
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
