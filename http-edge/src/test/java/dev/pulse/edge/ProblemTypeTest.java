package dev.pulse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The catalogue's types are stable URIs, unique, and documented where the project says they are. */
class ProblemTypeTest {
    @Test
    void everyTypeIsAStableUriUnderThePulseProblemsPrefix() {
        for (ProblemType type : ProblemType.values()) {
            assertThat(type.type()).isEqualTo("https://pulse.dev/problems/" + type.code());
            assertThat(type.code()).matches("[a-z][a-z0-9-]+");
            assertThat(type.title()).isEqualTo(Problem.titleFor(type.status())).isNotEqualTo("Error");
        }
        assertThat(Arrays.stream(ProblemType.values()).map(ProblemType::code).distinct().count()).isEqualTo(ProblemType.values().length);
    }

    @Test
    void theReadmeCataloguesEveryTypeWithItsStatus() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (ProblemType type : ProblemType.values()) {
            assertThat(readme).as("http-edge/README.md lists %s", type.code()).containsPattern("\\n\\| " + type.status() + " \\| `" + type.code() + "` \\|");
        }
    }

    @Test
    void bearerTokensAreReadFromTheAuthorizationHeaderOnly() {
        assertThat(BearerToken.from("Bearer abc")).contains("abc");
        assertThat(BearerToken.from("bearer   abc  ")).contains("abc");
        assertThat(BearerToken.from(null)).isEmpty();
        assertThat(BearerToken.from("Bearer ")).isEmpty();
        assertThat(BearerToken.from("Basic abc")).isEmpty();
        assertThat(BearerToken.from("Bearerabc")).isEmpty();
    }
}
