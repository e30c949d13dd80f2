package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 001's bridge model as configuration: a worker group with {@code PULSE_WORKER_TENANTS=enterprise}
 * reads only enterprise tenants' topics, one with {@code shared} every other tenant's, including
 * tenants created after both started. Each group's committed offsets name only its own tenants.
 */
class DedicatedWorkerGroupIT {
    static final String SHARED = "shared-it-" + UUID.randomUUID();
    static final String ENTERPRISE = "enterprise-it-" + UUID.randomUUID();
    static WorkerFixture fixture;
    static IngestWorker shared;
    static IngestWorker enterprise;
    static TenantRecord standardBefore;
    static TenantRecord enterpriseBefore;

    @BeforeAll
    static void startBothGroups() {
        fixture = new WorkerFixture();
        standardBefore = tenant("standard");
        enterpriseBefore = tenant("enterprise");
        shared = IngestWorker.start(fixture.config(SHARED, Map.of("PULSE_WORKER_TENANTS", "shared")));
        enterprise = IngestWorker.start(fixture.config(ENTERPRISE, Map.of("PULSE_WORKER_TENANTS", "enterprise")));
    }

    @AfterAll
    static void stopBothGroups() {
        shared.close();
        enterprise.close();
        fixture.close();
    }

    @Test
    void eachGroupReadsOnlyItsOwnTenantsIncludingTenantsCreatedAfterStart() throws Exception {
        TenantRecord standardAfter = tenant("standard");
        TenantRecord enterpriseAfter = tenant("enterprise");
        for (TenantRecord t : Set.of(standardBefore, enterpriseBefore, standardAfter, enterpriseAfter)) {
            fixture.produce(t.id(), "clicks", "e-" + t.slug(), "{\"url\": \"/x\"}");
        }
        fixture.awaitCaughtUp(SHARED, standardBefore.id());
        fixture.awaitCaughtUp(SHARED, standardAfter.id());
        fixture.awaitCaughtUp(ENTERPRISE, enterpriseBefore.id());
        fixture.awaitCaughtUp(ENTERPRISE, enterpriseAfter.id());

        for (TenantRecord t : Set.of(standardBefore, enterpriseBefore, standardAfter, enterpriseAfter)) {
            assertThat(fixture.eventIds(t.id(), "clicks")).containsExactly("e-" + t.slug());
        }
        Set<TenantId> sharedTenants = tenantsWithOffsets(SHARED);
        Set<TenantId> enterpriseTenants = tenantsWithOffsets(ENTERPRISE);
        assertThat(sharedTenants).contains(standardBefore.id(), standardAfter.id())
                .doesNotContain(enterpriseBefore.id(), enterpriseAfter.id());
        assertThat(enterpriseTenants).contains(enterpriseBefore.id(), enterpriseAfter.id())
                .doesNotContain(standardBefore.id(), standardAfter.id());
        // And neither group holds the other's partitions: no offsets for them even after more time.
        fixture.produce(enterpriseAfter.id(), "clicks", "late", "{\"url\": \"/late\"}");
        await().atMost(Duration.ofSeconds(60)).until(() -> fixture.eventIds(enterpriseAfter.id(), "clicks").contains("late"));
        assertThat(tenantsWithOffsets(SHARED)).doesNotContain(enterpriseBefore.id(), enterpriseAfter.id());
        assertThat(shared.failure()).isEmpty();
        assertThat(enterprise.failure()).isEmpty();
    }

    private static TenantRecord tenant(String tier) {
        String slug = "g" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36).substring(0, 10);
        TenantRecord tenant = fixture.stack.tenants().create(slug, "group test", tier).tenant();
        fixture.createDataset(tenant.id(), "clicks");
        return tenant;
    }

    private static Set<TenantId> tenantsWithOffsets(String group) throws Exception {
        return fixture.stack.kafkaAdmin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().keySet().stream()
                .map(tp -> Topics.tenantOf(tp.topic()).orElseThrow()).collect(Collectors.toSet());
    }
}
