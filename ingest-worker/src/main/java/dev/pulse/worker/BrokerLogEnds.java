package dev.pulse.worker;

import dev.pulse.worker.consume.LogEnds;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions' high watermarks from the broker (the admin client: the consumer's own
 * {@code endOffsets} would answer read_committed end offsets, which stop before an open
 * transaction, e.g. a DLQ replay's, and records acknowledged after its start would look read).
 * Asked at most once a second by the freshness check; an answer that does not come in time
 * leaves the watermarks where they are.
 */
final class BrokerLogEnds implements LogEnds {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLogEnds.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;

    BrokerLogEnds(Admin admin) {
        this.admin = admin;
    }

    @Override
    public Map<TopicPartition, Long> read(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        try {
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("log end offsets not read for the freshness check; the watermarks stay where they are: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ends;
    }
}
