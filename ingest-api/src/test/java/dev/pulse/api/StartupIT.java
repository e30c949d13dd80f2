package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up failures stop the service with a message that names what to change. */
class StartupIT {
    @Test
    void aPortInUseStopsStartUpWithAMessageNamingTheKey() {
        TestStack stack = TestStack.shared();
        try (IngestApi first = IngestApi.start(ApiConfig.from(stack.settings()))) {
            var sameport = ApiConfig.from(stack.settings(Map.of("PULSE_API_PORT", Integer.toString(first.port()))));
            assertThatThrownBy(() -> IngestApi.start(sameport))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("PULSE_API_PORT=" + first.port());
        }
    }
}
