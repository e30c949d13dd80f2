package dev.pulse.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.usage.UsageMetric;
import dev.pulse.schemas.usage.UsageRecord;
import dev.pulse.schemas.usage.UsageTopic;
import dev.pulse.worker.WorkerException;
import dev.pulse.worker.dlq.DeadLetter;
import dev.pulse.worker.dlq.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kafka transaction of the commit step, on Kafka's {@link MockProducer}: dead letters and
 * group offsets (with their table claims) go together or not at all, and only a committed
 * transaction moves what the loop knows of its partitions.
 */
class KafkaCommitTest {
    final TenantId a = new TenantId(UUID.randomUUID());
    final TenantId b = new TenantId(UUID.randomUUID());
    final TopicPartition a0 = new TopicPartition(Topics.raw(a), 0);
    final TopicPartition b0 = new TopicPartition(Topics.raw(b), 0);

    final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    final MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    final PartitionProgress progress = new PartitionProgress();
    final List<Set<TenantId>> crashPointTenants = new ArrayList<>();
    final KafkaCommit commit = new KafkaCommit(consumer, producer, progress, (point, tenants) -> {
        assertThat(point).isEqualTo(CrashPoint.BEFORE_KAFKA_COMMIT);
        crashPointTenants.add(tenants);
    });

    @BeforeEach
    void initTransactions() {
        producer.initTransactions();
        consumer.assign(List.of(a0, b0));
    }

    @Test
    void theDeadLettersAndEachPartitionsOffsetWithItsTableClaimsGoInOneCommittedTransaction() {
        progress.resumed(a0, 5, Map.of("clicks", 5L, "views", 3L), null);
        DeadLetter poison = deadLetter(a, a0, 7);

        boolean committed = commit.commit(List.of(poison), Map.of(a0, 9L, b0, 2L), Map.of(a0, Map.of("clicks", 9L)));

        assertThat(committed).isTrue();
        assertThat(producer.transactionCommitted()).isTrue();
        // The dead letter, then its usage count (tenant a, its error code, 1), in the same transaction.
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly(Topics.dlq(a), UsageTopic.NAME);
        assertThat(UsageRecord.parse(producer.history().get(1).value())).hasValueSatisfying(usage -> assertThat(usage)
                .extracting(UsageRecord::tenant, UsageRecord::metric, UsageRecord::dimension, UsageRecord::count)
                .containsExactly(a, UsageMetric.EVENTS_DEAD_LETTERED, poison.code().wireName(), 1L));
        Map<TopicPartition, OffsetAndMetadata> offsets = producer.consumerGroupOffsetsHistory().getFirst().get(consumer.groupMetadata().groupId());
        assertThat(offsets.get(a0).offset()).isEqualTo(9);
        assertThat(TableClaims.parse(offsets.get(a0).metadata())).containsExactlyInAnyOrderEntriesOf(Map.of("clicks", 9L, "views", 3L));
        assertThat(offsets.get(b0).offset()).isEqualTo(2);
        assertThat(TableClaims.parse(offsets.get(b0).metadata())).isEmpty();
        assertThat(crashPointTenants).containsExactly(Set.of(a, b));
        assertThat(progress.handledBelow(a0)).isEqualTo(9);
        assertThat(progress.handledBelow(b0)).isEqualTo(2);
    }

    @Test
    void whileAPartitionHealsItsGroupOffsetStaysWhereItWasUntilTheHealingReachesIt() {
        progress.resumed(a0, 10, Map.of("clicks", 10L), new Healing(10, Set.of("clicks")));

        commit.commit(List.of(), Map.of(a0, 6L), Map.of(a0, Map.of("clicks", 6L)));

        OffsetAndMetadata offset = producer.consumerGroupOffsetsHistory().getFirst().get(consumer.groupMetadata().groupId()).get(a0);
        assertThat(offset.offset()).isEqualTo(10);
        assertThat(TableClaims.parse(offset.metadata())).containsEntry("clicks", 10L); // the larger claim wins
        assertThat(progress.healing(a0)).isNotNull();

        commit.commit(List.of(), Map.of(a0, 12L), Map.of());
        assertThat(progress.healing(a0)).isNull();
        assertThat(progress.handledBelow(a0)).isEqualTo(12);
    }

    @Test
    void aFailedCommitIsAbortedAndMovesNothing() {
        progress.resumed(a0, 5, Map.of(), null);
        producer.commitTransactionException = new KafkaException("the group's generation moved on");

        boolean committed = commit.commit(List.of(deadLetter(a, a0, 6)), Map.of(a0, 8L), Map.of());

        assertThat(committed).isFalse();
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();
        assertThat(progress.handledBelow(a0)).isEqualTo(5);
    }

    @Test
    void aFencedProducerStopsTheWorker() {
        producer.fenceProducer();

        assertThatThrownBy(() -> commit.commit(List.of(), Map.of(a0, 8L), Map.of())).isInstanceOf(WorkerException.class);
        assertThat(progress.handledBelow(a0)).isZero();
    }

    @Test
    void aBatchThatMovesNoOffsetOpensNoTransaction() {
        assertThat(commit.commit(List.of(), Map.of(), Map.of())).isTrue();
        assertThat(producer.transactionInFlight()).isFalse();
        assertThat(producer.consumerGroupOffsetsHistory()).isEmpty();
    }

    static DeadLetter deadLetter(TenantId tenant, TopicPartition tp, long offset) {
        return new DeadLetter(tenant, new ConsumerRecord<>(tp.topic(), tp.partition(), offset, "k".getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8)), ErrorCode.SCHEMA_VIOLATION, "poison");
    }
}
