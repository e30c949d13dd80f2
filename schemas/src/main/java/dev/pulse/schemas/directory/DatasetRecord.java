package dev.pulse.schemas.directory;

import java.time.Instant;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/** A dataset row: which schema version it is on and which Iceberg table holds it. */
public record DatasetRecord(String slug, String schemaName, int schemaVersion, String tableNamespace, String tableName,
        String partitioning, long rowCount, Instant lastEventTime, Instant createdAt) {

    public TableIdentifier table() {
        return TableIdentifier.of(Namespace.of(tableNamespace), tableName);
    }
}
