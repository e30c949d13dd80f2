package dev.pulse.worker.usage;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.usage.UsageMetric;
import dev.pulse.schemas.usage.UsageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** One tenant's counters of one minute: metric → dimension → total. The topology's aggregate. */
final class UsageCounts {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Map<String, Long>>> WIRE = new TypeReference<>() {
    };
    static final Serde<UsageCounts> SERDE = Serdes.serdeFrom((topic, counts) -> counts == null ? null : counts.toJson(),
            (topic, bytes) -> bytes == null ? null : parse(bytes));

    private final Map<UsageMetric, Map<String, Long>> totals = new EnumMap<>(UsageMetric.class);

    UsageCounts add(UsageRecord record) {
        totals.computeIfAbsent(record.metric(), m -> new TreeMap<>()).merge(record.dimension(), record.count(), Long::sum);
        return this;
    }

    Map<UsageMetric, Map<String, Long>> totals() {
        return totals;
    }

    private byte[] toJson() {
        Map<String, Map<String, Long>> wire = new TreeMap<>();
        totals.forEach((metric, byDimension) -> wire.put(metric.wireName(), byDimension));
        try {
            return JSON.writeValueAsBytes(wire);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static UsageCounts parse(byte[] bytes) {
        UsageCounts counts = new UsageCounts();
        try {
            JSON.readValue(bytes, WIRE).forEach((metric, byDimension) ->
                    UsageMetric.fromWireName(metric).ifPresent(m -> counts.totals.put(m, new TreeMap<>(byDimension))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }
}
