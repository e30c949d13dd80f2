package dev.pulse.schemas.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.schemas.naming.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class UsageRecordTest {
    private static final TenantId TENANT = TenantId.random();
    private static final Instant AT = Instant.parse("2026-12-02T16:00:12.345Z");

    @Test
    void aRecordTravelsKeyedByItsTenantAtItsInstantAndReadsBackTheSame() {
        UsageRecord record = new UsageRecord(TENANT, AT, UsageMetric.ROWS_LANDED, "page-views", 12, "landed/t/1");
        ProducerRecord<byte[], byte[]> produced = record.toProducerRecord();
        assertThat(produced.topic()).isEqualTo(UsageTopic.NAME);
        assertThat(new String(produced.key(), StandardCharsets.UTF_8)).isEqualTo(TENANT.toString());
        assertThat(produced.timestamp()).isEqualTo(AT.toEpochMilli());
        assertThat(UsageRecord.parse(produced.value())).contains(record);
        UsageRecord withoutId = UsageRecord.of(TENANT, AT, UsageMetric.EVENTS_ACCEPTED, null, 3);
        assertThat(UsageRecord.parse(withoutId.toJson())).contains(withoutId);
        assertThat(withoutId.dimension()).isEmpty();
    }

    @Test
    void theDeadLetterToolingsRecordsSayWhatTheyCount() {
        assertThat(UsageRecord.deadLettersReplayed(TENANT, AT, "schema-violation", 4))
                .extracting(UsageRecord::metric, UsageRecord::count, UsageRecord::id).containsExactly(UsageMetric.DEAD_LETTERS_REPLAYED, 4L, null);
        assertThat(UsageRecord.deadLetterDropped(TENANT, AT, "schema-violation", "dl-1"))
                .extracting(UsageRecord::metric, UsageRecord::count, UsageRecord::id).containsExactly(UsageMetric.DEAD_LETTERS_DROPPED, 1L, "dropped/dl-1");
    }

    @Test
    void whatIsNoUsageRecordParsesToNothing() {
        for (String text : new String[] {"", "null", "[]", "{\"v\":2}", "{not json",
                "{\"v\":1,\"tenant\":\"nobody\",\"at\":\"2026-12-02T16:00:00Z\",\"metric\":\"rows_landed\",\"count\":1}",
                "{\"v\":1,\"tenant\":\"" + TENANT + "\",\"at\":\"yesterday\",\"metric\":\"rows_landed\",\"count\":1}",
                "{\"v\":1,\"tenant\":\"" + TENANT + "\",\"at\":\"2026-12-02T16:00:00Z\",\"metric\":\"cpu\",\"count\":1}",
                "{\"v\":1,\"tenant\":\"" + TENANT + "\",\"at\":\"2026-12-02T16:00:00Z\",\"metric\":\"rows_landed\",\"count\":0}",
                "{\"v\":1,\"tenant\":\"" + TENANT + "\",\"at\":\"2026-12-02T16:00:00Z\",\"metric\":\"rows_landed\",\"count\":\"x\"}"}) {
            assertThat(UsageRecord.parse(text.getBytes(StandardCharsets.UTF_8))).as(text).isEmpty();
        }
        assertThat(UsageRecord.parse(null)).isEmpty();
    }

    @Test
    void aCountIsPositiveAndADimensionShort() {
        assertThatThrownBy(() -> UsageRecord.of(TENANT, AT, UsageMetric.ROWS_LANDED, "d", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UsageRecord.of(TENANT, AT, UsageMetric.ROWS_LANDED, "d".repeat(201), 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
