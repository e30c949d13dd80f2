package dev.pulse.api.events;

import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Sends a request's envelopes to the tenant's raw topic and waits until the broker has
 * acknowledged every one (the producer is idempotent with acks=all), so that a 202 means the
 * events are durable in Kafka.
 */
final class EventPublisher {
    private static final int RETRY_AFTER_SECONDS = 5;

    private final Producer<byte[], byte[]> producer;
    private final long timeoutMs;

    EventPublisher(Producer<byte[], byte[]> producer, long timeoutMs) {
        this.producer = producer;
        this.timeoutMs = timeoutMs;
    }

    /** One record ready to send: its event id (the key) and the serialized envelope (the value). */
    record Outgoing(String eventId, byte[] envelope) {
    }

    void publish(TenantId tenant, List<Outgoing> records) {
        String topic = Topics.raw(tenant);
        byte[] tenantHeader = tenant.toString().getBytes(StandardCharsets.UTF_8);
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try {
            for (Outgoing record : records) {
                ProducerRecord<byte[], byte[]> message = new ProducerRecord<>(topic, record.eventId().getBytes(StandardCharsets.UTF_8), record.envelope());
                message.headers().add(Topics.TENANT_HEADER, tenantHeader);
                acks.add(producer.send(message));
            }
        } catch (KafkaException e) {
            throw unavailable("Kafka refused the events: " + e.getMessage(), e);
        }
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RecordTooLargeException) {
                    throw ProblemException.tooLarge("event-too-large", "event " + i + " is larger than the broker accepts; make it smaller");
                }
                throw unavailable("Kafka did not acknowledge the events: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw unavailable("Kafka did not acknowledge the events within " + timeoutMs + " ms", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unavailable("interrupted while waiting for Kafka", e);
            }
        }
    }

    private static ProblemException unavailable(String detail, Throwable cause) {
        return ProblemException.unavailable("kafka-unavailable", detail + "; nothing is guaranteed to be stored, retry the request"
                + " (send event_id to make retries recognizable)", RETRY_AFTER_SECONDS, cause);
    }
}
