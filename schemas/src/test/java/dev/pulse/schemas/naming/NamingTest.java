package dev.pulse.schemas.naming;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class NamingTest {
    @Test
    void topicsAndNamespacesAreNamedByTenantIdNeverBySlug() {
        TenantId id = new TenantId(UUID.fromString("0b9a3c1e-5f7d-4e2a-9c8b-1d2e3f4a5b6c"));
        assertThat(Topics.raw(id)).isEqualTo("pulse.0b9a3c1e-5f7d-4e2a-9c8b-1d2e3f4a5b6c.events.raw");
        assertThat(Topics.dlq(id)).isEqualTo("pulse.0b9a3c1e-5f7d-4e2a-9c8b-1d2e3f4a5b6c.events.dlq");
        assertThat(LakeNames.namespace(id).toString()).isEqualTo("pulse_0b9a3c1e5f7d4e2a9c8b1d2e3f4a5b6c");
        assertThat(LakeNames.tableName("page-views")).isEqualTo("page_views");
        assertThat(Topics.RAW_PATTERN.matcher(Topics.raw(id)).matches()).isTrue();
        assertThat(Topics.RAW_PATTERN.matcher(Topics.dlq(id)).matches()).isFalse();
    }

    @Test
    void aTopicWhoseTenantCannotBeParsedHasNoTenant() {
        assertThat(Topics.tenantOf("pulse.not-a-uuid.events.raw")).isEmpty();
        assertThat(Topics.tenantOf("pulse.0B9A3C1E-5F7D-4E2A-9C8B-1D2E3F4A5B6C.events.raw")).isEmpty();
        assertThat(Topics.tenantOf("other.topic")).isEmpty();
        assertThat(Topics.tenantOf(null)).isEmpty();
        assertThat(Topics.tenantOf("pulse.0b9a3c1e-5f7d-4e2a-9c8b-1d2e3f4a5b6c.events.raw")).isPresent();
    }

    @Test
    void slugsFollowTheRule() {
        assertThat(Slugs.isValidSlug("acme")).isTrue();
        assertThat(Slugs.isValidSlug("ab")).isFalse();
        assertThat(Slugs.isValidSlug("Acme")).isFalse();
        assertThat(Slugs.isValidSlug("1acme")).isFalse();
        assertThat(Slugs.isValidSlug("a".repeat(41))).isFalse();
        assertThat(Slugs.isValidSlug("acme_corp")).isFalse();
    }
}
