package dev.pulse.worker;

import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where the worker's consumer and transactional producer come from (as Iceberg's Kafka Connect
 * sink has its {@code KafkaClientFactory}). Production makes new clients; the crash tests keep
 * hold of them, to drop them the way a killed process does.
 */
interface KafkaClients {
    KafkaClients NEW = new KafkaClients() {
        @Override
        public Consumer<byte[], byte[]> consumer(Properties properties) {
            return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public Producer<byte[], byte[]> producer(Properties properties) {
            return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        }
    };

    Consumer<byte[], byte[]> consumer(Properties properties);

    Producer<byte[], byte[]> producer(Properties properties);
}
