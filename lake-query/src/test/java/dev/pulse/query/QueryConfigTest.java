package dev.pulse.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.ConfigKey;
import dev.pulse.schemas.config.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryConfigTest {
    private static final Map<String, String> INFRASTRUCTURE = Map.of(
            "PULSE_DATABASE_URL", "jdbc:postgresql://localhost:5432/pulse?user=pulse_app&password=x",
            "PULSE_CATALOG_DATABASE_URL", "jdbc:postgresql://localhost:5432/pulse?user=pulse_catalog&password=y",
            "PULSE_WAREHOUSE", "/var/lib/pulse/warehouse",
            "PULSE_KAFKA_BOOTSTRAP", "localhost:9092");

    private static QueryConfig with(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(INFRASTRUCTURE);
        all.putAll(values);
        return QueryConfig.from(Settings.of(all));
    }

    @Test
    void everyKeyHasItsDocumentedDefault() {
        QueryConfig config = with(Map.of());
        assertThat(config.listener().port()).isEqualTo(8081);
        assertThat(config.previewDefaultLimit()).isEqualTo(100);
        assertThat(config.previewMaxLimit()).isEqualTo(10_000);
        assertThat(config.queryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.memoryLimit()).isEqualTo("1GB");
        assertThat(config.maxRows()).isEqualTo(100_000);
        assertThat(config.threads()).isEqualTo(2);
        assertThat(config.tempDirectory()).isAbsolute();
        assertThat(QueryConfig.KEYS).extracting(ConfigKey::name).contains("PULSE_QUERY_PORT", "PULSE_QUERY_MEMORY_LIMIT");
    }

    @Test
    void aBadValueFailsNamingItsKey() {
        assertThatThrownBy(() -> with(Map.of("PULSE_QUERY_PORT", "http"))).isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_QUERY_PORT");
        assertThatThrownBy(() -> with(Map.of("PULSE_QUERY_MEMORY_LIMIT", "1GB'; SET x=1; --"))).isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_QUERY_MEMORY_LIMIT");
        assertThatThrownBy(() -> with(Map.of("PULSE_QUERY_THREADS", "0"))).isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_QUERY_THREADS");
        assertThatThrownBy(() -> with(Map.of("PULSE_QUERY_TEMP_DIR", "relative/dir"))).isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_QUERY_TEMP_DIR");
        assertThatThrownBy(() -> with(Map.of("PULSE_QUERY_TIMEOUT_MS", "soon"))).isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_QUERY_TIMEOUT_MS");
    }

    @Test
    void crossFieldChecksNameBothKeys() {
        assertThatThrownBy(() -> with(Map.of("PULSE_PREVIEW_DEFAULT_LIMIT", "500", "PULSE_PREVIEW_MAX_LIMIT", "200")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_PREVIEW_DEFAULT_LIMIT").hasMessageContaining("PULSE_PREVIEW_MAX_LIMIT");
        assertThatThrownBy(() -> with(Map.of("PULSE_QUERY_MAX_ROWS", "50")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_QUERY_MAX_ROWS");
    }
}
