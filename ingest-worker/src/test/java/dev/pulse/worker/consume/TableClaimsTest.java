package dev.pulse.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableClaimsTest {
    @Test
    void claimsSurviveTheRoundTripThroughTheOffsetMetadata() {
        String metadata = TableClaims.format(Map.of("orders", 1_234L, "page_views", 9_876_543_210L));
        assertThat(metadata).startsWith(TableClaims.PREFIX);
        assertThat(TableClaims.parse(metadata)).containsExactlyInAnyOrderEntriesOf(Map.of("orders", 1_234L, "page_views", 9_876_543_210L));
    }

    @Test
    void metadataPulseDidNotWriteClaimsNothing() {
        assertThat(TableClaims.parse(null)).isEmpty();
        assertThat(TableClaims.parse("")).isEmpty();
        assertThat(TableClaims.parse("{\"orders\": 5}")).as("no prefix: another writer's metadata").isEmpty();
        assertThat(TableClaims.parse(TableClaims.PREFIX + "not json")).isEmpty();
        assertThat(TableClaims.parse(TableClaims.PREFIX + "{\"orders\": \"x\", \"ok\": 3}")).containsExactly(Map.entry("ok", 3L));
    }

    @Test
    void mergingNeverLowersAClaim() {
        Map<String, Long> merged = TableClaims.merge(Map.of("a", 10L, "b", 5L), Map.of("a", 7L, "c", 1L));
        assertThat(merged).containsExactlyInAnyOrderEntriesOf(Map.of("a", 10L, "b", 5L, "c", 1L));
    }

    @Test
    void tooManyClaimsDropTheSmallestFirstAndStayWithinTheBrokersLimit() {
        Map<String, Long> claims = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            claims.put("dataset_table_number_" + i, 1_000_000L + i);
        }
        String metadata = TableClaims.format(claims);
        assertThat(metadata.length()).isLessThanOrEqualTo(TableClaims.MAX_CHARS);
        Map<String, Long> kept = TableClaims.parse(metadata);
        assertThat(kept).containsKey("dataset_table_number_399").doesNotContainKey("dataset_table_number_0");
        assertThat(kept.values()).allMatch(v -> v > 1_000_000L + 399 - kept.size());
    }
}
