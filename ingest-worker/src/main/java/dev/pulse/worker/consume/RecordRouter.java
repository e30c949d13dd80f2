package dev.pulse.worker.consume;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.event.EventConverter;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.event.MalformedEnvelopeException;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.dlq.ErrorCode;
import dev.pulse.worker.lake.LakeRow;
import dev.pulse.worker.lake.RowPreparer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides where one raw record goes. Every failure of the record is a {@link DeadLetter} value and
 * a failing table a {@link Routing.TableFailing} value, never an exception; only the
 * infrastructure's failures (the database behind the lookups) are thrown.
 */
final class RecordRouter {
    private static final Logger LOG = LoggerFactory.getLogger(RecordRouter.class);
    private final ObjectMapper mapper = new ObjectMapper();
    private final CompiledSchemas compiledSchemas = new CompiledSchemas();

    /** {@code tenant} is the tenant of the record's topic: the only tenant the record can belong to. */
    Routing route(TenantId tenant, ConsumerRecord<byte[], byte[]> record, BatchLookups lookups) {
        Header header = record.headers().lastHeader(Topics.TENANT_HEADER);
        if (header == null || header.value() == null) {
            return dead(tenant, record, ErrorCode.TENANT_MISMATCH,
                    "record has no " + Topics.TENANT_HEADER + " header; its topic belongs to tenant " + tenant);
        }
        String claimed = new String(header.value(), StandardCharsets.UTF_8);
        if (!claimed.equals(tenant.toString())) {
            return dead(tenant, record, ErrorCode.TENANT_MISMATCH,
                    Topics.TENANT_HEADER + " header says '" + abbreviate(claimed) + "' but the topic belongs to tenant " + tenant);
        }
        EventEnvelope envelope;
        try {
            envelope = EventEnvelope.fromBytes(mapper, record.value());
        } catch (MalformedEnvelopeException e) {
            return dead(tenant, record, ErrorCode.MALFORMED_ENVELOPE, e.getMessage());
        }
        BatchLookups.DatasetLookup lookup = lookups.dataset(tenant, envelope.dataset());
        if (lookup.tableFailure() != null) {
            return new Routing.TableFailing(lookup.tableFailure());
        }
        if (lookup.dataset() == null) {
            return dead(tenant, record, lookup.failure(), lookup.message());
        }
        ResolvedDataset dataset = lookup.dataset();
        EventConverter.ConversionResult converted;
        try {
            converted = EventConverter.convert(dataset.schema().parsed(), dataset.table().schema(), envelope);
            if (converted.isValid()) {
                // The validation keywords (bounds, pattern, const, …), once the structure is known to fit the table.
                List<EventConverter.Violation> violations = compiledSchemas.of(tenant, dataset.schema()).violations(envelope.data());
                if (!violations.isEmpty()) {
                    converted = new EventConverter.ConversionResult(null, violations);
                }
            }
        } catch (RuntimeException e) {
            // EventConverter promises never to throw (a property test holds it to that); if it ever
            // does, the cause is in this record's values: set the record aside, keep the batch.
            LOG.error("converting {} offset {} failed; sending it to the DLQ", record.topic(), record.offset(), e);
            return dead(tenant, record, ErrorCode.CONVERSION_FAILED, "event " + abbreviate(envelope.eventId())
                    + " could not be checked against schema '" + dataset.schema().name() + "': " + e);
        }
        if (!converted.isValid()) {
            return dead(tenant, record, ErrorCode.SCHEMA_VIOLATION, "event " + abbreviate(envelope.eventId()) + " does not match schema '"
                    + dataset.schema().name() + "' version " + dataset.schema().version() + ": "
                    + converted.violations().stream().map(Object::toString).collect(Collectors.joining("; ")));
        }
        RowPreparer.PrepareResult prepared = dataset.preparer().prepare(converted.row());
        if (!prepared.isWritable()) {
            return dead(tenant, record, ErrorCode.UNWRITABLE_VALUE, "event " + abbreviate(envelope.eventId()) + " cannot be written to table "
                    + dataset.table().name() + ": " + prepared.problem());
        }
        // The event time as stored (truncated to microseconds), for the snapshot's newest-event stamp.
        Instant eventTime = ((OffsetDateTime) converted.row().getField(EventSchema.EVENT_TIME)).toInstant();
        return new Routing.ToTable(dataset, new LakeRow(new TopicPartition(record.topic(), record.partition()), record.offset(),
                converted.row(), eventTime, prepared.partition()));
    }

    private static Routing dead(TenantId tenant, ConsumerRecord<byte[], byte[]> record, ErrorCode code, String message) {
        return new Routing.ToDeadLetters(new DeadLetter(tenant, record, code, message));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
