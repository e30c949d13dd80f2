package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.schemas.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the client verbs find the stack: the order, and that a deployment's settings never mix with a dev stack's. */
class RunningStackTest {
    @TempDir
    Path temp;

    Path file(String name, String text) throws Exception {
        Path file = temp.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    @Test
    void pulseEnvFileWinsThenTheLocalFileThenThePointerOfTheLastPulseDev() throws Exception {
        Path named = file("named.env", "PULSE_API_URL=http://named\n");
        Path local = file("here/.pulse/pulse.env", "PULSE_API_URL=http://local\n");
        Path recorded = file("elsewhere/pulse.env", "PULSE_API_URL=http://recorded\n");
        Path pointer = temp.resolve("home/.pulse/current");
        RunningStack.record(pointer, recorded);

        assertThat(RunningStack.envFile(Map.of("PULSE_ENV_FILE", named.toString()), local, pointer)).contains(named);
        assertThat(RunningStack.envFile(Map.of(), local, pointer)).contains(local);
        Path noLocal = temp.resolve("nowhere/.pulse/pulse.env");
        assertThat(RunningStack.envFile(Map.of("PULSE_JAVA_OPTS", "-Xmx1g"), noLocal, pointer)).contains(recorded.toAbsolutePath());
        assertThat(RunningStack.settings(Map.of(), noLocal, pointer).optional("PULSE_API_URL")).contains("http://recorded");
    }

    @Test
    void anEnvironmentWithAnyPulseSettingNeverReadsThePointer() throws Exception {
        Path pointer = temp.resolve("home/.pulse/current");
        RunningStack.record(pointer, file("dev/pulse.env", "PULSE_KAFKA_BOOTSTRAP=dev:9092\n"));
        Path noLocal = temp.resolve("nowhere/.pulse/pulse.env");
        Map<String, String> production = Map.of("PULSE_API_URL", "https://pulse.example", "PULSE_OPERATOR_TOKEN", "t".repeat(30));
        assertThat(RunningStack.envFile(production, noLocal, pointer)).isEmpty();
        assertThat(RunningStack.settings(production, noLocal, pointer).optional("PULSE_KAFKA_BOOTSTRAP")).isEmpty();
    }

    @Test
    void aPointerToAStackThatIsGoneSaysWhatToDoAndStoppingForgetsOnlyItsOwnStack() throws Exception {
        Path pointer = temp.resolve("home/.pulse/current");
        Path gone = temp.resolve("gone/pulse.env");
        RunningStack.record(pointer, gone);
        Path noLocal = temp.resolve("nowhere/.pulse/pulse.env");
        assertThatThrownBy(() -> RunningStack.envFile(Map.of(), noLocal, pointer))
                .isInstanceOf(ConfigException.class).hasMessageContaining(gone.toString()).hasMessageContaining("PULSE_ENV_FILE");

        Path mine = file("mine/pulse.env", "");
        RunningStack.record(pointer, mine);
        RunningStack.forget(pointer, temp.resolve("another/pulse.env"));
        assertThat(RunningStack.envFile(Map.of(), noLocal, pointer)).isEqualTo(Optional.of(mine.toAbsolutePath()));
        RunningStack.forget(pointer, mine);
        assertThat(pointer).doesNotExist();
        assertThat(RunningStack.envFile(Map.of(), noLocal, pointer)).isEmpty();
        assertThatThrownBy(() -> RunningStack.envFile(Map.of("PULSE_ENV_FILE", gone.toString()), noLocal, pointer))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PULSE_ENV_FILE");
    }
}
