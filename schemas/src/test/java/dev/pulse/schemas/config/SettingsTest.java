package dev.pulse.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @Test
    void theEnvironmentWinsOverTheFileKeyByKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pulse.env");
        Files.writeString(file, "# comment\nPULSE_API_PORT=9000\nPULSE_QUERY_PORT=9001\n");
        Settings settings = Settings.layered(Map.of("PULSE_API_PORT", "9100", "HOME", "/root"), Optional.of(file));
        assertThat(settings.get(PulseKeys.API_PORT)).isEqualTo(9100);
        assertThat(settings.get(PulseKeys.QUERY_PORT)).isEqualTo(9001);
        assertThat(settings.optional("HOME")).isEmpty();
    }

    @Test
    void aBadValueStopsWithAMessageNamingTheKey() {
        Settings settings = Settings.of(Map.of("PULSE_API_PORT", "eighty", "PULSE_DB_POOL_SIZE", "0"));
        assertThatThrownBy(() -> settings.get(PulseKeys.API_PORT)).isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_API_PORT");
        assertThatThrownBy(() -> settings.get(PulseKeys.DB_POOL_SIZE)).hasMessageContaining("PULSE_DB_POOL_SIZE").hasMessageContaining("range");
        assertThatThrownBy(() -> settings.get(PulseKeys.DATABASE_URL)).hasMessageContaining("PULSE_DATABASE_URL");
    }

    @Test
    void infrastructureRefusesARuntimeUrlForTheWrongRole() {
        Settings settings = Settings.of(Map.of(
                "PULSE_DATABASE_URL", "jdbc:postgresql://h/pulse?user=postgres&password=x",
                "PULSE_CATALOG_DATABASE_URL", "jdbc:postgresql://h/pulse?user=pulse_catalog&password=x",
                "PULSE_WAREHOUSE", "/tmp/w", "PULSE_KAFKA_BOOTSTRAP", "h:9092"));
        assertThatThrownBy(() -> Infrastructure.from(settings)).hasMessageContaining("PULSE_DATABASE_URL").hasMessageContaining("pulse_app");
    }
}
