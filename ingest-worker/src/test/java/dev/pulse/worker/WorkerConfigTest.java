package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.Settings;
import dev.pulse.worker.consume.WorkerTenants;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {
    static Settings settings(Map<String, String> worker) {
        Map<String, String> values = new HashMap<>(Map.of(
                "PULSE_DATABASE_URL", "jdbc:postgresql://localhost/pulse?user=pulse_app&password=x",
                "PULSE_CATALOG_DATABASE_URL", "jdbc:postgresql://localhost/pulse?user=pulse_catalog&password=y",
                "PULSE_WAREHOUSE", "/tmp/warehouse",
                "PULSE_KAFKA_BOOTSTRAP", "localhost:9092"));
        values.putAll(worker);
        return Settings.of(values);
    }

    @Test
    void everyKeyHasADefault() {
        WorkerConfig config = WorkerConfig.from(settings(Map.of()));
        assertThat(config.group()).isEqualTo("pulse-worker");
        assertThat(config.maxBatchRecords()).isEqualTo(5000);
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.transactionalId()).startsWith("pulse-worker.pulse-worker.");
        assertThat(WorkerConfig.keys()).allSatisfy(k -> assertThat(k.description()).isNotBlank());
    }

    @Test
    void aWorkerGroupReadsAllTenantsUnlessToldSharedOrEnterpriseAndAnEnterpriseGroupNeedsItsOwnName() {
        assertThat(WorkerConfig.from(settings(Map.of())).tenants()).isEqualTo(WorkerTenants.ALL);
        assertThat(WorkerConfig.from(settings(Map.of("PULSE_WORKER_TENANTS", "shared"))).tenants()).isEqualTo(WorkerTenants.SHARED);
        WorkerConfig enterprise = WorkerConfig.from(settings(Map.of("PULSE_WORKER_TENANTS", "enterprise", "PULSE_WORKER_GROUP", "pulse-worker-ent")));
        assertThat(enterprise.tenants()).isEqualTo(WorkerTenants.ENTERPRISE);
        assertThat(enterprise.transactionalId()).startsWith("pulse-worker.pulse-worker-ent.");
        assertThatThrownBy(() -> WorkerConfig.from(settings(Map.of("PULSE_WORKER_TENANTS", "enterprise"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_WORKER_TENANTS").hasMessageContaining("PULSE_WORKER_GROUP");
        assertThatThrownBy(() -> WorkerConfig.from(settings(Map.of("PULSE_WORKER_TENANTS", "vip"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_WORKER_TENANTS");
    }

    @Test
    void twoStartsWithoutAnInstanceIdNeverShareATransactionalId() {
        assertThat(WorkerConfig.from(settings(Map.of())).transactionalId())
                .isNotEqualTo(WorkerConfig.from(settings(Map.of())).transactionalId());
    }

    @Test
    void aBadValueStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> WorkerConfig.from(settings(Map.of("PULSE_WORKER_MAX_BATCH_RECORDS", "lots"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_WORKER_MAX_BATCH_RECORDS");
        assertThatThrownBy(() -> WorkerConfig.from(settings(Map.of("PULSE_WORKER_MAX_BATCH_RECORDS", "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_WORKER_MAX_BATCH_RECORDS");
        assertThatThrownBy(() -> WorkerConfig.from(settings(Map.of("PULSE_WORKER_GROUP", "no spaces"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_WORKER_GROUP");
        assertThatThrownBy(() -> WorkerConfig.from(settings(Map.of("PULSE_WORKER_COMMIT_INTERVAL_MS", "5000",
                "PULSE_WORKER_MAX_POLL_INTERVAL_MS", "2000"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_WORKER_COMMIT_INTERVAL_MS").hasMessageContaining("PULSE_WORKER_MAX_POLL_INTERVAL_MS");
    }

    @Test
    void aFailingTenantWaitsASecondFirstAndAtMostFiveMinutesAndTheMaximumCannotBeBelowTheFirstWait() {
        WorkerConfig config = WorkerConfig.from(settings(Map.of()));
        assertThat(config.tenantBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.tenantBackoffMax()).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> WorkerConfig.from(settings(Map.of("PULSE_WORKER_TENANT_BACKOFF_MS", "5000",
                "PULSE_WORKER_TENANT_BACKOFF_MAX_MS", "1000"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_WORKER_TENANT_BACKOFF_MAX_MS").hasMessageContaining("PULSE_WORKER_TENANT_BACKOFF_MS");
    }

    @Test
    void theRuntimeDatabaseMustBeReachedAsTheRuntimeRole() {
        assertThatThrownBy(() -> WorkerConfig.from(settings(Map.of("PULSE_DATABASE_URL", "jdbc:postgresql://localhost/pulse?user=postgres&password=x"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_DATABASE_URL");
    }
}
