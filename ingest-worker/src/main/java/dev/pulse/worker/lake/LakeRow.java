package dev.pulse.worker.lake;

import java.time.Instant;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.data.Record;
import org.apache.kafka.common.TopicPartition;

/**
 * One valid row bound for a table, with the Kafka position it came from and its partition, both
 * computed by {@link RowPreparer} before the row is accepted for writing.
 */
public record LakeRow(TopicPartition source, long offset, Record row, Instant eventTime, PartitionKey partition) {
}
