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
        ProcessBuilder builder = builder(List.of(), args);
        builder.environment().put("PULSE_ENV_FILE", envFile.toString());
        return run(builder, args);
    }

    /**
     * Runs {@code pulse} the way a user does in a folder without {@code .pulse/} and with no
     * {@code PULSE_*} variable: the CLI must find the stack itself (through {@code home/.pulse/current}).
     */
    static Result runWithoutSettings(Path home, Path workDir, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = builder(List.of("-Duser.home=" + home), args).directory(workDir.toFile());
        return run(builder, args);
    }

    /**
     * A CLI run lives for seconds and the suites start a few hundred: C1 alone and the serial
     * collector cost less CPU at that length. Measured with ControlPlaneCliIT's 156 runs on the
     * 2-core machine: 2.54 s a run instead of 2.97 s, the whole class 8.0 min instead of 9.1 min
     * (under a parallel build). A dynamic class-data archive would save more but refuses a
     * classpath with a non-empty directory (target/test-classes) and exits 1.
     */
    private static final List<String> SHORT_RUN_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private static ProcessBuilder builder(List<String> jvmOptions, String... args) {
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBinary));
        command.addAll(SHORT_RUN_OPTIONS);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Pulse.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("PULSE_"));
        return builder;
    }

    private static Result run(ProcessBuilder builder, String... args) throws IOException, InterruptedException {
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
