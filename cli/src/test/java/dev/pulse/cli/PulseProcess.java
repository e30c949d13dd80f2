package dev.pulse.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code pulse} main class in a child JVM, as a user's shell would. */
final class PulseProcess {
    record Result(int exitCode, String stdout, String stderr) {
    }

    private PulseProcess() {
    }

    static Result run(Path envFile, String... args) throws IOException, InterruptedException {
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBinary, "-cp", System.getProperty("java.class.path"),
                Pulse.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("PULSE_"));
        builder.environment().put("PULSE_ENV_FILE", envFile.toString());
        // stderr to a file so that a chatty child can never block on a full pipe
        Path stderrFile = Files.createTempFile("pulse-stderr", ".txt");
        builder.redirectError(stderrFile.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        var stdout = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("pulse " + String.join(" ", args) + " did not finish");
        }
        String stderr = Files.readString(stderrFile, StandardCharsets.UTF_8);
        Files.delete(stderrFile);
        return new Result(process.exitValue(), new String(stdout, StandardCharsets.UTF_8), stderr);
    }
}
