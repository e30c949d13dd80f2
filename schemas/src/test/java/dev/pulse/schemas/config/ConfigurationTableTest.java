package dev.pulse.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * README.md's "## Configuration" table and {@link PulseKeys} say the same, both ways: every
 * declared key has a row with its default (and its {@code pulse dev} value), every key in the
 * table is declared. A row may group keys ({@code `A` / `B` | 1 / 2}); one default for a group
 * applies to each key. In a default, {@code (`x` under `pulse dev`)} is the value {@code pulse dev}
 * sets, any other parenthesis is a note for humans (a unit, "doubling"), backticks are formatting.
 */
class ConfigurationTableTest {
    private static final Pattern KEY = Pattern.compile("`(PULSE_[A-Z0-9_]+)`");
    private static final Pattern DEV = Pattern.compile("\\(`?([^`()]+?)`? under `pulse dev`\\)");
    private static final Pattern NOTE = Pattern.compile("\\([^()]*\\)");

    record Row(String key, String documentedDefault, Optional<String> devDefault) {
    }

    static Path readme() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(dir.resolve("README.md")) || !Files.isDirectory(dir.resolve("schemas"))) {
            dir = dir.getParent();
        }
        return dir.resolve("README.md");
    }

    static List<Row> table() throws IOException {
        List<String> lines = Files.readAllLines(readme());
        int start = lines.indexOf("## Configuration");
        assertThat(start).as("README.md has a '## Configuration' section").isNotNegative();
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (!line.startsWith("| `PULSE_")) {
                continue;
            }
            String[] cells = line.split("\\s*\\|\\s*");
            // cells[0] is the empty text before the first '|'.
            List<String> keys = new ArrayList<>();
            Matcher m = KEY.matcher(cells[1]);
            while (m.find()) {
                keys.add(m.group(1));
            }
            String[] defaults = cells[2].split(" / ");
            assertThat(defaults.length).as("defaults of " + keys + ": one for all, or one per key").isIn(1, keys.size());
            for (int i = 0; i < keys.size(); i++) {
                rows.add(row(keys.get(i), defaults[defaults.length == 1 ? 0 : i]));
            }
        }
        return rows;
    }

    static Row row(String key, String cell) {
        Matcher dev = DEV.matcher(cell);
        Optional<String> devDefault = dev.find() ? Optional.of(dev.group(1).strip()) : Optional.empty();
        String documented = NOTE.matcher(DEV.matcher(cell).replaceAll("")).replaceAll("").replace("`", "").strip();
        return new Row(key, documented, devDefault);
    }

    @Test
    void everyDeclaredKeyHasARowWithItsDefaultAndItsPulseDevValue() throws IOException {
        Map<String, Row> table = table().stream().collect(Collectors.toMap(Row::key, Function.identity()));
        for (ConfigKey<?> key : PulseKeys.ALL) {
            assertThat(table).as("README.md's configuration table has a row for " + key.name()).containsKey(key.name());
            Row row = table.get(key.name());
            assertThat(row.documentedDefault()).as("README default of " + key.name()).isEqualTo(key.documentedDefault());
            assertThat(row.devDefault()).as("README value of " + key.name() + " under pulse dev").isEqualTo(key.devDefault());
        }
    }

    @Test
    void everyKeyInTheTableIsDeclaredOnce() throws IOException {
        List<Row> rows = table();
        Map<String, ConfigKey<?>> declared = new LinkedHashMap<>();
        PulseKeys.ALL.forEach(k -> assertThat(declared.put(k.name(), k)).as(k.name() + " is declared once").isNull());
        assertThat(rows).extracting(Row::key).doesNotHaveDuplicates();
        assertThat(rows).extracting(Row::key).allSatisfy(key -> assertThat(declared).as(key + " in README.md is declared in PulseKeys").containsKey(key));
    }

    @Test
    void theParserUnderstandsGroupedRowsNotesAndPulseDevValues() {
        assertThat(row("PULSE_X", " `0.0.0.0` (`127.0.0.1` under `pulse dev`) ")).isEqualTo(new Row("PULSE_X", "0.0.0.0", Optional.of("127.0.0.1")));
        assertThat(row("PULSE_X", "10000 (6000 under `pulse dev`)")).isEqualTo(new Row("PULSE_X", "10000", Optional.of("6000")));
        assertThat(row("PULSE_X", "10485760 (10 MiB)")).isEqualTo(new Row("PULSE_X", "10485760", Optional.empty()));
        assertThat(row("PULSE_X", "local `java.nio` FileIO")).isEqualTo(new Row("PULSE_X", "local java.nio FileIO", Optional.empty()));
    }

    @Test
    void everyDeclarationIsComplete() {
        for (ConfigKey<?> key : PulseKeys.ALL) {
            assertThat(key.name()).startsWith("PULSE_");
            assertThat(key.type()).as(key.name() + " type").isNotBlank();
            assertThat(key.description()).as(key.name() + " description").isNotBlank();
            assertThat(key.documentedDefault()).as(key.name() + " default").isNotBlank();
            if (!key.required()) {
                // The default is readable: reading an empty configuration gives it without an error.
                assertThat(Settings.of(Map.of()).get(key)).as(key.name() + " default value").isNotNull();
            }
        }
    }
}
