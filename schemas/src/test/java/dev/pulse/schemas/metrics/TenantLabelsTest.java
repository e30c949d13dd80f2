package dev.pulse.schemas.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.schemas.naming.TenantId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TenantLabelsTest {
    @Test
    void theFirstTenantsKeepTheirIdAndEveryLaterOneIsOther() {
        TenantLabels labels = new TenantLabels(2);
        List<TenantId> tenants = IntStream.range(0, 5).mapToObj(i -> TenantId.random()).toList();
        assertThat(tenants.stream().map(labels::of).toList()).containsExactly(tenants.get(0).toString(), tenants.get(1).toString(),
                TenantLabels.OTHER, TenantLabels.OTHER, TenantLabels.OTHER);
        // Asked again, in any order: the same answer, for the life of the process.
        assertThat(labels.of(tenants.get(4))).isEqualTo(TenantLabels.OTHER);
        assertThat(labels.of(tenants.get(1))).isEqualTo(tenants.get(1).toString());
    }

    @Test
    void aCapOfZeroLabelsNobody() {
        assertThat(new TenantLabels(0).of(TenantId.random())).isEqualTo(TenantLabels.OTHER);
    }

    @Test
    void manyThreadsNeverGetMoreThanTheCapOfLabels() {
        TenantLabels labels = new TenantLabels(10);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 10_000).parallel().forEach(i -> seen.add(labels.of(TenantId.random())));
        assertThat(seen).hasSize(11).contains(TenantLabels.OTHER);
    }
}
