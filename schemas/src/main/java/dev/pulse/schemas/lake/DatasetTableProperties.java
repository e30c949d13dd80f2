package dev.pulse.schemas.lake;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * The Iceberg table properties every dataset table has: the one place they are declared. Dataset
 * creation passes {@link #ON_CREATE}; lake maintenance brings an existing table up to date with
 * {@link #upgrade}, so a table created by an older Pulse gets them too.
 *
 * <ul>
 *   <li>{@code commit.retry.num-retries=0}: the worker's commit guard re-checks its offsets
 *       before every attempt, so Iceberg must not silently re-apply an append on top of a
 *       concurrent commit (see the worker's protocol notes);</li>
 *   <li>{@code write.metadata.delete-after-commit.enabled=true} and
 *       {@code write.metadata.previous-versions-max}: every commit writes the whole metadata file
 *       again, so without these the metadata folder grows with the square of the commit count;
 *       with them it holds the current file and at most {@value #PREVIOUS_METADATA_VERSIONS}
 *       previous ones;</li>
 *   <li>{@code commit.manifest.min-count-to-merge}: an append merges the table's small manifests
 *       once there are {@value #MANIFESTS_TO_MERGE} of them (Iceberg's default, 100, lets a
 *       table that commits every second keep 100 manifests per snapshot).</li>
 * </ul>
 */
public final class DatasetTableProperties {
    /** Previous metadata files kept besides the current one. */
    public static final int PREVIOUS_METADATA_VERSIONS = 10;
    /** Manifests of a snapshot before an append merges them. */
    public static final int MANIFESTS_TO_MERGE = 16;

    /** What maintenance keeps true on every dataset table. */
    private static final Map<String, String> MAINTAINED = maintained();

    /** The properties of a new dataset table. */
    public static final Map<String, String> ON_CREATE = onCreate();

    private static final int UPGRADE_ATTEMPTS = 5;

    private DatasetTableProperties() {
    }

    private static Map<String, String> maintained() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(TableProperties.COMMIT_NUM_RETRIES, "0");
        p.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
        p.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, Integer.toString(PREVIOUS_METADATA_VERSIONS));
        p.put(TableProperties.MANIFEST_MERGE_ENABLED, "true");
        p.put(TableProperties.MANIFEST_MIN_MERGE_COUNT, Integer.toString(MANIFESTS_TO_MERGE));
        return Map.copyOf(p);
    }

    private static Map<String, String> onCreate() {
        Map<String, String> p = new LinkedHashMap<>(MAINTAINED);
        p.put(TableProperties.FORMAT_VERSION, "2");
        return Map.copyOf(p);
    }

    /** The maintained properties {@code table} lacks or holds with another value. */
    public static Map<String, String> missing(Table table) {
        Map<String, String> out = new LinkedHashMap<>();
        MAINTAINED.forEach((key, value) -> {
            if (!value.equals(table.properties().get(key))) {
                out.put(key, value);
            }
        });
        return out;
    }

    /**
     * Sets the properties {@code table} lacks, in one metadata commit; idempotent (no commit when
     * nothing is missing). A commit racing the worker's append is retried: dataset tables allow
     * Iceberg no automatic retry.
     *
     * @return the properties that were set
     */
    public static Map<String, String> upgrade(Table table) {
        for (int attempt = 1; ; attempt++) {
            table.refresh();
            Map<String, String> missing = missing(table);
            if (missing.isEmpty()) {
                return Map.of();
            }
            UpdateProperties update = table.updateProperties();
            missing.forEach(update::set);
            try {
                update.commit();
                return missing;
            } catch (CommitFailedException e) {
                if (attempt == UPGRADE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
