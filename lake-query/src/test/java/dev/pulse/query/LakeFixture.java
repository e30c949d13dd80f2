package dev.pulse.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.naming.LakeNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;

/**
 * Test data without the worker: tenants with a "clicks" dataset, and events appended to its
 * Iceberg table as real Parquet files with Iceberg's generic writer, committed like the worker does.
 */
public final class LakeFixture {
    public static final String SCHEMA_NAME = "clicks";
    public static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "page": {"type": "string"},
               "clicks": {"type": "integer"},
               "amount": {"type": "number"},
               "user": {"type": "object", "properties": {
                   "id": {"type": "string"},
                   "tags": {"type": "array", "items": {"type": "string"}}}}},
             "required": ["page"]}""";

    /** One event: the envelope, then the schema's fields. */
    public record Event(String id, Instant time, String page, long clicks, double amount, String userId, List<String> tags) {
        public static Event at(String id, Instant time, String page) {
            return new Event(id, time, page, 1, 0.5, "u-" + id, List.of("a", "b"));
        }
    }

    /** A tenant with its dataset, a query key, and the dataset's table. */
    public record TenantDataset(TenantRecord tenant, String slug, String queryToken, Table table) {
    }

    private LakeFixture() {
    }

    public static TenantDataset tenantWithDataset(TestStack stack, String slug) {
        TenantRecord tenant = stack.newTenant();
        return datasetFor(stack, tenant, slug);
    }

    public static TenantDataset datasetFor(TestStack stack, TenantRecord tenant, String slug) {
        try {
            stack.schemas().register(tenant.id(), SCHEMA_NAME, new ObjectMapper().readTree(SCHEMA));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stack.datasets().create(tenant.id(), slug, SCHEMA_NAME, null, IcebergSchemas.Partitioning.DAY);
        String token = stack.keys().create(tenant.id(), "query", Set.of(Scope.QUERY), null).token();
        Table table = stack.catalog().loadTable(LakeNames.table(tenant.id(), slug));
        return new TenantDataset(tenant, slug, token, table);
    }

    /** Writes the events (one Parquet file per day partition) and commits them in one snapshot. */
    public static List<DataFile> append(Table table, List<Event> events) {
        table.refresh();
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, 1, System.nanoTime()).format(FileFormat.PARQUET).build();
        InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
        Map<PartitionKey, List<Record>> byPartition = new LinkedHashMap<>();
        for (Event e : events) {
            Record record = record(table, e);
            PartitionKey key = new PartitionKey(table.spec(), table.schema());
            key.partition(wrapper.wrap(record));
            byPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(record);
        }
        List<DataFile> written = new ArrayList<>();
        for (Map.Entry<PartitionKey, List<Record>> partition : byPartition.entrySet()) {
            DataWriter<Record> writer = writers.newDataWriter(files.newOutputFile(table.spec(), partition.getKey()), table.spec(), partition.getKey());
            try (writer) {
                partition.getValue().forEach(writer::write);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            written.add(writer.toDataFile());
        }
        AppendFiles append = table.newAppend();
        written.forEach(append::appendFile);
        append.commit();
        return written;
    }

    private static Record record(Table table, Event e) {
        GenericRecord record = GenericRecord.create(table.schema());
        record.setField("event_id", e.id());
        record.setField("event_time", e.time().atOffset(ZoneOffset.UTC));
        record.setField("received_at", e.time().plusSeconds(1).atOffset(ZoneOffset.UTC));
        record.setField("page", e.page());
        record.setField("clicks", e.clicks());
        record.setField("amount", e.amount());
        Types.StructType userType = table.schema().findField("user").type().asStructType();
        GenericRecord user = GenericRecord.create(userType);
        user.setField("id", e.userId());
        user.setField("tags", e.tags());
        record.setField("user", user);
        return record;
    }
}
