package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's workflows, read from README.md itself and run as a person would run them, in order,
 * against the real services: every fenced block preceded by {@code <!-- docs-test -->} is split
 * into commands (lines joined at a trailing backslash) and each runs in bash from a folder that
 * looks like a clone to them ({@code ./pulse} is the CLI on this test's classpath, {@code examples/}
 * the repository's). Only this is substituted: the stack's URLs for {@code 127.0.0.1:8080/8081},
 * a {@code pulse_…} key by the key of the scope its line's comment names ("the manage key"), and
 * {@code <key-id>} by the key id printed last. Every command must exit 0 and every curl answer 2xx.
 */
class ReadmeIT {
    static final String MARKER = "<!-- docs-test -->";
    static final Path README = Path.of("..", "README.md");
    static final Path EXAMPLES = Path.of("..", "examples");
    static final Pattern TOKEN = Pattern.compile("pulse_[0-9a-f]{16}_[A-Za-z0-9]+");
    static final Pattern KEY_ID = Pattern.compile("(?:\"key_id\"\\s*:\\s*\"|key id )([0-9a-f]{16})");
    static final Pattern SCOPES = Pattern.compile("scopes\"?\\s*:?\\s*\\[([^\\]]*)\\]");
    static final Pattern KEY_PLACEHOLDER = Pattern.compile("pulse_…(.*#.*\\bthe (ingest|query|manage) key\\b)");
    static final String STATUS_MARK = "\n@@http-status@@ ";

    /** A key printed by an earlier command, with its scopes. */
    record PrintedKey(String token, String keyId, String scopes) {
    }

    @Test
    void everyMarkedReadmeBlockRunsAsWrittenAgainstTheRealStack() throws Exception {
        PipelineFixture pipeline = PipelineFixture.shared();
        List<List<String>> blocks = markedBlocks(Files.readString(README));
        assertThat(blocks).as("blocks marked %s in README.md", MARKER).hasSizeGreaterThanOrEqualTo(3);
        Path clone = cloneLikeFolder();
        List<PrintedKey> keys = new ArrayList<>();
        Map<String, String> assignments = new LinkedHashMap<>();
        String lastKeyId = null;
        int commandsRun = 0;
        for (List<String> block : blocks) {
            for (String written : block) {
                String command = written
                        .replace("http://127.0.0.1:8080", pipeline.apiUrl())
                        .replace("http://127.0.0.1:8081", pipeline.queryUrl());
                Matcher placeholder = KEY_PLACEHOLDER.matcher(command);
                if (placeholder.find()) {
                    String scope = placeholder.group(2);
                    String token = keys.reversed().stream().filter(k -> k.scopes().equals("\"" + scope + "\"")).findFirst()
                            .orElseThrow(() -> new AssertionError("no " + scope + " key was printed before: " + written)).token();
                    command = placeholder.replaceFirst(Matcher.quoteReplacement(token) + "$1");
                }
                if (command.contains("<key-id>")) {
                    assertThat(lastKeyId).as("a key id printed before: %s", written).isNotNull();
                    command = command.replace("<key-id>", lastKeyId);
                }
                if (command.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                    assignments.put(command.substring(0, command.indexOf('=')), command);
                    continue;
                }
                Result result = bash(clone, pipeline.envFile, String.join("\n", assignments.values()), command);
                commandsRun++;
                assertThat(result.exitCode()).as("README command `%s`\nstdout: %s\nstderr: %s", written, result.stdout(), result.stderr())
                        .isZero();
                if (written.startsWith("curl")) {
                    assertThat(result.httpStatus()).as("the HTTP status of `%s`", written).isNotNull();
                }
                if (result.httpStatus() != null) {
                    assertThat(result.httpStatus()).as("README command `%s` answered %s", written, result.stdout())
                            .isBetween(200, 299);
                }
                Matcher token = TOKEN.matcher(result.stdout());
                if (token.find()) {
                    Matcher id = KEY_ID.matcher(result.stdout());
                    Matcher scopes = SCOPES.matcher(result.stdout());
                    assertThat(id.find() && scopes.find()).as("a printed key with its id and scopes: %s", result.stdout()).isTrue();
                    keys.add(new PrintedKey(token.group(), id.group(1), scopes.group(1).replace(" ", "")));
                    lastKeyId = id.group(1);
                }
            }
        }
        assertThat(commandsRun).isGreaterThanOrEqualTo(15);

        // What the workflow promises at the end: the events it posted are in the preview.
        String queryKey = keys.stream().filter(k -> k.scopes().equals("\"query\"")).findFirst().orElseThrow().token();
        HttpRequest preview = HttpRequest.newBuilder(URI.create(pipeline.queryUrl() + "/v1/datasets/orders/preview?limit=10"))
                .header("Authorization", "Bearer " + queryKey).build();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode body = OperatorClient.JSON.readTree(
                    HttpClient.newHttpClient().send(preview, HttpResponse.BodyHandlers.ofString()).body());
            assertThat(body.path("rows").size()).isEqualTo(3);
        });
    }

    @Test
    void theMarkedBlocksAreFoundAndSplitIntoCommands() {
        List<List<String>> blocks = markedBlocks("""
                text
                <!-- docs-test -->
                ```bash
                ./pulse a   # comment
                # only a comment

                curl -X POST \\
                     -d '{}'
                ```
                ```bash
                ./pulse not-marked
                ```
                """);
        assertThat(blocks).containsExactly(List.of("./pulse a   # comment", "curl -X POST \\\n     -d '{}'"));
    }

    /** The commands of every block after the marker: comment-only and blank lines dropped, continuations kept together. */
    static List<List<String>> markedBlocks(String markdown) {
        List<List<String>> blocks = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].strip().equals(MARKER)) {
                continue;
            }
            int fence = i + 1;
            assertThat(lines[fence]).as("the line after %s opens a fenced block", MARKER).startsWith("```");
            List<String> commands = new ArrayList<>();
            StringBuilder current = null;
            for (i = fence + 1; !lines[i].startsWith("```"); i++) {
                String line = lines[i];
                if (current == null && (line.isBlank() || line.strip().startsWith("#"))) {
                    continue;
                }
                current = current == null ? new StringBuilder(line) : current.append('\n').append(line);
                if (!line.endsWith("\\")) {
                    commands.add(current.toString());
                    current = null;
                }
            }
            blocks.add(commands);
        }
        return blocks;
    }

    /** A folder where {@code ./pulse} and {@code examples/} are what the README expects of a clone. */
    static Path cloneLikeFolder() throws IOException {
        Path folder = Files.createTempDirectory("pulse-readme");
        Files.createSymbolicLink(folder.resolve("examples"), EXAMPLES.toAbsolutePath().normalize());
        String java = ProcessHandle.current().info().command().orElse("java");
        Path launcher = folder.resolve("pulse");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' " + Pulse.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(folder.resolve("home"));
        return folder;
    }

    record Result(int exitCode, String stdout, String stderr, Integer httpStatus) {
    }

    /**
     * Runs one README command in bash with the earlier variable assignments; curl is wrapped to
     * append the HTTP status, which is taken off the output again.
     */
    static Result bash(Path clone, Path envFile, String assignments, String command) throws Exception {
        String script = "set -eo pipefail\n"
                + "curl() { command curl -w '" + STATUS_MARK.replace("\n", "\\n") + "%{http_code}' \"$@\"; }\n"
                + assignments + "\n" + command + "\n";
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(clone.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PULSE_"));
        builder.environment().put("PULSE_ENV_FILE", envFile.toString());
        builder.environment().put("HOME", clone.resolve("home").toString());
        Path stderrFile = Files.createTempFile("pulse-readme-stderr", ".txt");
        builder.redirectError(stderrFile.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("README command did not finish: " + command);
        }
        String stderr = Files.readString(stderrFile);
        Files.delete(stderrFile);
        Integer status = null;
        int mark = stdout.lastIndexOf(STATUS_MARK);
        if (mark >= 0) {
            status = Integer.parseInt(stdout.substring(mark + STATUS_MARK.length()).strip());
            stdout = stdout.substring(0, mark);
        }
        return new Result(process.exitValue(), stdout, stderr, status);
    }
}
