package dev.pulse.worker.usage;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.usage.UsageRecord;
import dev.pulse.schemas.usage.UsageTopic;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage topology: usage topic → count each id once → per tenant (the record key) and
 * one-minute window, sum every metric and dimension → the sink writes each updated minute's
 * totals to {@code pulse.usage_minutes} under RLS for the tenant.
 *
 * <p>No repartition: every producer keys its records by tenant id, so a tenant's records, and
 * any two copies of one id, are in one partition and one task. A record that is no usage record
 * (or whose key is not its tenant) is logged and skipped, never retried for ever.
 */
final class UsageTopology {
    private static final Logger LOG = LoggerFactory.getLogger(UsageTopology.class);
    static final String DEDUP_STORE = "usage-ids";
    static final String MINUTES_STORE = "usage-minutes";
    /** How late (behind the partition's stream time) a record may come and still count in its own minute. */
    static final Duration GRACE = Duration.ofHours(1);
    /** How often remembered ids older than {@link UsageRecord#DEDUP_RETENTION_DAYS} are forgotten. */
    private static final Duration FORGET_INTERVAL = Duration.ofMinutes(10);
    private static final Serde<UsageRecord> RECORD_SERDE = Serdes.serdeFrom((topic, r) -> r == null ? null : r.toJson(),
            (topic, bytes) -> UsageRecord.parse(bytes).orElse(null));

    private UsageTopology() {
    }

    static Topology build(UsageSink sink) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEDUP_STORE), Serdes.String(), Serdes.Long()));
        builder.stream(UsageTopic.NAME, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .processValues(CountOnce::new, DEDUP_STORE)
                .groupByKey(Grouped.with(Serdes.String(), RECORD_SERDE))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), GRACE))
                .aggregate(UsageCounts::new, (tenant, record, counts) -> counts.add(record),
                        Materialized.<String, UsageCounts, WindowStore<Bytes, byte[]>>as(MINUTES_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(UsageCounts.SERDE).withRetention(GRACE.multipliedBy(2)))
                .toStream()
                .process(() -> new SinkProcessor(sink));
        return builder.build();
    }

    /** Parses each record and passes on only the first of each id; remembers ids for a week (wall clock). */
    private static final class CountOnce implements FixedKeyProcessor<String, byte[], UsageRecord> {
        private FixedKeyProcessorContext<String, UsageRecord> context;
        private KeyValueStore<String, Long> seen;

        @Override
        public void init(FixedKeyProcessorContext<String, UsageRecord> context) {
            this.context = context;
            this.seen = context.getStateStore(DEDUP_STORE);
            context.schedule(FORGET_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::forget);
        }

        @Override
        public void process(FixedKeyRecord<String, byte[]> record) {
            Optional<UsageRecord> usage = UsageRecord.parse(record.value());
            if (usage.isEmpty() || !usage.get().tenant().toString().equals(record.key())) {
                LOG.warn("skipping a record of {} that is no usage record of the tenant its key names (key '{}')", UsageTopic.NAME, record.key());
                return;
            }
            String id = usage.get().id();
            if (id != null) {
                if (seen.get(id) != null) {
                    return; // counted already
                }
                seen.put(id, context.currentSystemTimeMs());
            }
            context.forward(record.withValue(usage.get()).withTimestamp(usage.get().at().toEpochMilli()));
        }

        private void forget(long now) {
            long before = now - Duration.ofDays(UsageRecord.DEDUP_RETENTION_DAYS).toMillis();
            try (KeyValueIterator<String, Long> all = seen.all()) {
                while (all.hasNext()) {
                    KeyValue<String, Long> entry = all.next();
                    if (entry.value < before) {
                        seen.delete(entry.key);
                    }
                }
            }
        }
    }

    /**
     * Writes each updated minute's totals. Runs before the task commits (the window store's
     * cache flushes downstream first), so a crash after the write and before the commit writes
     * the same totals again: the sink is idempotent, and a total only grows.
     */
    private static final class SinkProcessor implements Processor<Windowed<String>, UsageCounts, Void, Void> {
        private final UsageSink sink;

        SinkProcessor(UsageSink sink) {
            this.sink = sink;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
        }

        @Override
        public void process(Record<Windowed<String>, UsageCounts> record) {
            if (record.value() == null) {
                return;
            }
            sink.write(TenantId.parse(record.key().key()), record.key().window().startTime(), record.value().totals());
        }
    }
}
