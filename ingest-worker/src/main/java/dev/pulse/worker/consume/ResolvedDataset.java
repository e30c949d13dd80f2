package dev.pulse.worker.consume;

import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.lake.RowPreparer;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.kafka.common.TopicPartition;

/**
 * A dataset as one batch sees it: its row, its schema version, its table, what the table already
 * holds, and the check every row passes before it is accepted for the table.
 */
record ResolvedDataset(TenantId tenant, DatasetRecord dataset, RegisteredSchema schema, Table table, Map<TopicPartition, Long> storedOffsets,
        RowPreparer preparer) {

    /** The table's name in the tenant's namespace: the key of the group offset's table claims. */
    String tableName() {
        return dataset.table().name();
    }

    /** True when the table already holds this record (its offset is below the stored next offset). */
    boolean holds(TopicPartition tp, long offset) {
        Long next = storedOffsets.get(tp);
        return next != null && offset < next;
    }
}
