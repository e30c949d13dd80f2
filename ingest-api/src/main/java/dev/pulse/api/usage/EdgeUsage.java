package dev.pulse.api.usage;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.usage.UsageMetric;
import dev.pulse.schemas.usage.UsageRecord;
import dev.pulse.schemas.usage.UsageTopic;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code POST /v1/events} counts for usage: events accepted and their bytes, requests of an
 * authenticated key refused by status. Counted in memory per tenant, minute, metric and dimension
 * and sent to the usage topic once a second (one record per counter, not one per request: the
 * hot path adds to a counter and produces nothing). A killed API loses at most its last second
 * of counts; a count is never sent twice (idempotent producer, each counter sent once).
 */
public final class EdgeUsage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeUsage.class);
    private static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);

    private record Counter(TenantId tenant, Instant minute, UsageMetric metric, String dimension) {
    }

    private final Producer<byte[], byte[]> producer;
    private final Admin admin;
    /** Whether the usage topic is known to exist: until then counts wait in memory (the API starts without Kafka). */
    private volatile boolean topicReady;
    private final ReadWriteLock swap = new ReentrantReadWriteLock();
    private Map<Counter, LongAdder> counters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher;

    /** {@code admin} creates the usage topic if missing, on the flush thread (never in a request, never blocking start-up). */
    public EdgeUsage(Producer<byte[], byte[]> producer, Admin admin) {
        this.producer = producer;
        this.admin = admin;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge-usage-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flushQuietly, FLUSH_INTERVAL.toMillis(), FLUSH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A request produced {@code events} events of {@code bytes} bytes in all. */
    public void accepted(TenantId tenant, int events, long bytes) {
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        add(new Counter(tenant, minute, UsageMetric.EVENTS_ACCEPTED, ""), events);
        add(new Counter(tenant, minute, UsageMetric.BYTES_ACCEPTED, ""), bytes);
    }

    /** A request of the tenant's key was refused with {@code status}. */
    public void refused(TenantId tenant, int status) {
        add(new Counter(tenant, Instant.now().truncatedTo(ChronoUnit.MINUTES), UsageMetric.REQUESTS_REFUSED, Integer.toString(status)), 1);
    }

    private void add(Counter counter, long n) {
        if (n <= 0) {
            return;
        }
        swap.readLock().lock();
        try {
            counters.computeIfAbsent(counter, c -> new LongAdder()).add(n);
        } finally {
            swap.readLock().unlock();
        }
    }

    /**
     * Dead letters just marked dropped ({@code reasonById}: each one's reason by its stable id),
     * sent now and acknowledged before this returns: called inside the drop's database
     * transaction, so a drop whose usage cannot be sent is not committed (it fails, and is
     * retried). Each record carries its dead letter's id, so a drop retried after its usage was
     * sent counts once.
     */
    public void deadLettersDropped(TenantId tenant, Map<String, String> reasonById) {
        if (reasonById.isEmpty()) {
            return;
        }
        if (!topicReady) {
            UsageTopic.ensure(admin);
            topicReady = true;
        }
        Instant at = Instant.now();
        List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
        reasonById.forEach((id, reason) -> sent.add(producer.send(
                UsageRecord.deadLetterDropped(tenant, at, reason == null ? "" : reason, id).toProducerRecord())));
        for (java.util.concurrent.Future<?> f : sent) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending the usage of dropped dead letters", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("the usage of dropped dead letters was not sent: " + e, e);
            }
        }
    }

    /** Sends every counter gathered so far (asynchronously; a failed send is logged and its count lost). */
    void flush() {
        Map<Counter, LongAdder> taken;
        swap.writeLock().lock();
        try {
            taken = counters;
            counters = new ConcurrentHashMap<>();
        } finally {
            swap.writeLock().unlock();
        }
        taken.forEach((counter, count) -> {
            UsageRecord record = UsageRecord.of(counter.tenant(), counter.minute(), counter.metric(), counter.dimension(), count.sum());
            producer.send(record.toProducerRecord(), (metadata, e) -> {
                if (e != null) {
                    LOG.warn("lost a usage count ({} {} of tenant {}): {}", record.count(), record.metric().wireName(), record.tenant(), e.toString());
                }
            });
        });
    }

    private void flushQuietly() {
        try {
            if (!topicReady) {
                UsageTopic.ensure(admin);
                topicReady = true;
            }
            flush();
        } catch (RuntimeException e) {
            LOG.warn("sending usage counts failed (they wait for the next try): {}", e.toString());
        }
    }

    /** Stops the schedule and sends what is left (before the producer closes). */
    @Override
    public void close() throws InterruptedException {
        flusher.shutdown();
        if (!flusher.awaitTermination(10, TimeUnit.SECONDS)) {
            flusher.shutdownNow(); // e.g. still waiting for an unreachable broker to create the topic
        }
        if (topicReady) {
            flush();
            producer.flush();
        }
    }
}
