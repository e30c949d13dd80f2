package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiConfigTest {
    static Map<String, String> minimal() {
        Map<String, String> values = new HashMap<>();
        values.put("PULSE_DATABASE_URL", "jdbc:postgresql://localhost/pulse?user=pulse_app&password=p");
        values.put("PULSE_CATALOG_DATABASE_URL", "jdbc:postgresql://localhost/pulse?user=pulse_catalog&password=c");
        values.put("PULSE_OPERATOR_DATABASE_URL", "jdbc:postgresql://localhost/pulse?user=pulse_operator&password=o");
        values.put("PULSE_WAREHOUSE", "/tmp/warehouse");
        values.put("PULSE_KAFKA_BOOTSTRAP", "localhost:9092");
        values.put("PULSE_OPERATOR_TOKEN", "o".repeat(32));
        return values;
    }

    static ApiConfig with(String key, String value) {
        Map<String, String> values = minimal();
        values.put(key, value);
        return ApiConfig.from(Settings.of(values));
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        ApiConfig config = ApiConfig.from(Settings.of(minimal()));
        assertThat(config.listener().port()).isEqualTo(8080);
        assertThat(config.partitionsByTier().standard()).isEqualTo(3);
        assertThat(config.limits()).isEqualTo(new ApiConfig.Limits(10 * 1024 * 1024, 1024 * 1024, 10_000, 64));
        assertThat(config.produceTimeoutMs()).isEqualTo(30_000);
    }

    @Test
    void aMissingOrShortOperatorTokenStopsStartUpNamingTheKey() {
        Map<String, String> values = minimal();
        values.remove("PULSE_OPERATOR_TOKEN");
        assertThatThrownBy(() -> ApiConfig.from(Settings.of(values))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("PULSE_OPERATOR_TOKEN");
        assertThatThrownBy(() -> with("PULSE_OPERATOR_TOKEN", "short")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("PULSE_OPERATOR_TOKEN");
    }

    @Test
    void badNumbersStopStartUpNamingTheKey() {
        for (String key : new String[] {"PULSE_API_PORT", "PULSE_TOPIC_PARTITIONS", PulseKeys.MAX_BODY_BYTES.name(), PulseKeys.MAX_EVENT_BYTES.name(),
                PulseKeys.MAX_EVENTS_PER_REQUEST.name(), PulseKeys.MAX_JSON_DEPTH.name(), PulseKeys.PRODUCE_TIMEOUT_MS.name()}) {
            assertThatThrownBy(() -> with(key, "lots")).isInstanceOf(ConfigException.class).hasMessageContaining(key);
            assertThatThrownBy(() -> with(key, "-1")).isInstanceOf(ConfigException.class).hasMessageContaining(key);
        }
    }

    @Test
    void anEventLimitAboveTheBodyLimitIsRefused() {
        Map<String, String> values = minimal();
        values.put(PulseKeys.MAX_BODY_BYTES.name(), "4096");
        values.put(PulseKeys.MAX_EVENT_BYTES.name(), "8192");
        assertThatThrownBy(() -> ApiConfig.from(Settings.of(values))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(PulseKeys.MAX_EVENT_BYTES.name()).hasMessageContaining(PulseKeys.MAX_BODY_BYTES.name());
    }

    @Test
    void theOperatorDatabaseUrlIsRequiredAndMustConnectAsTheOperatorRole() {
        Map<String, String> values = minimal();
        values.remove("PULSE_OPERATOR_DATABASE_URL");
        assertThatThrownBy(() -> ApiConfig.from(Settings.of(values))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("PULSE_OPERATOR_DATABASE_URL");
        // The runtime role's credentials in its place would give tenant traffic the operator's reach.
        assertThatThrownBy(() -> with("PULSE_OPERATOR_DATABASE_URL", "jdbc:postgresql://localhost/pulse?user=pulse_app&password=p"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_OPERATOR_DATABASE_URL").hasMessageContaining("pulse_operator");
    }

    @Test
    void theOperatorTokenNeverAppearsInToString() {
        assertThat(ApiConfig.from(Settings.of(minimal())).toString()).doesNotContain("oooooooo");
    }
}
