package dev.pulse.worker.maintain;

import java.util.Set;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Removes the {@code *.metadata.json} files of commit attempts that lost their race, at every
 * visit rather than after the orphan window.
 *
 * <p>The worker and the maintainer commit to the same table. An Iceberg commit writes the new
 * metadata file {@code <base version + 1>-<uuid>.metadata.json} first and then swaps the catalog's
 * pointer from the base's file to it; when another commit moved the pointer first, the swap
 * fails, Iceberg retries on the new base and the file it wrote stays on disk, in no metadata log.
 * The orphan scan would remove it an hour later; a table where both commit every few seconds
 * piles up an hour of them.
 *
 * <p>Why removing them at once is safe: a file numbered {@code v} was written by an attempt whose
 * base was version {@code v - 1}, and that attempt can only succeed while the pointer is still at
 * its base. Once the table is at version {@code current >= v} and the file is neither the current
 * one nor in its log, the pointer has moved past that base, and it never returns to a file it left
 * (every file name carries a fresh UUID): the attempt has failed for good. Files numbered above
 * the current version may belong to a commit in flight and are left alone (the orphan scan's
 * window covers them, should their writer die).
 */
public final class LostCommitAttempts {
    private LostCommitAttempts() {
    }

    public record Result(int removed, long bytes) {
        static final Result NONE = new Result(0, 0);
    }

    static Result run(Table table, boolean dryRun) {
        if (!(table.io() instanceof SupportsPrefixOperations listing)) {
            return Result.NONE;
        }
        table.refresh();
        TableOperations ops = ((HasTableOperations) table).operations();
        TableMetadata current = ops.current();
        long currentVersion = version(current.metadataFileLocation());
        if (currentVersion < 0) {
            return Result.NONE;
        }
        Set<String> live = OrphanFiles.metadataLog(current);
        int removed = 0;
        long bytes = 0;
        for (FileInfo file : listing.listPrefix(ops.metadataFileLocation(""))) {
            long version = version(file.location());
            if (version < 0 || version > currentVersion || live.contains(OrphanFiles.normalize(file.location()))) {
                continue;
            }
            if (!dryRun) {
                table.io().deleteFile(file.location());
            }
            removed++;
            bytes += file.size();
        }
        return new Result(removed, bytes);
    }

    /** The version an Iceberg metadata file name starts with ({@code 00042-<uuid>.metadata.json}); -1 for any other file. */
    public static long version(String location) {
        String name = location.substring(location.lastIndexOf('/') + 1);
        int dash = name.indexOf('-');
        if (!name.endsWith(".metadata.json") || dash <= 0 || dash > 18) {
            return -1;
        }
        for (int i = 0; i < dash; i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(name, 0, dash, 10);
    }
}
