package dev.pulse.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time of the bench stack's own PostgreSQL server (Linux {@code /proc}), which
 * {@link ThreadCpu} cannot see: the postmaster whose {@code -D} is inside the stack's folder, the
 * backends it reaped (its children's times) and its live children. Other PostgreSQL servers on
 * the machine (another stack, a test run) are not counted. Zero where {@code /proc} is missing.
 */
final class PostgresCpu {
    /** Linux's USER_HZ, the unit of /proc/[pid]/stat times, on every platform Pulse runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private PostgresCpu() {
    }

    /** Nanoseconds of CPU the PostgreSQL server with its data folder under {@code folder} has used so far. */
    static long nanos(Path folder) {
        String prefix = folder.toAbsolutePath().normalize().toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            List<Path> pids = procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList();
            String postmaster = null;
            for (Path pid : pids) {
                String cmdline = read(pid.resolve("cmdline")).replace('\0', ' ');
                if (cmdline.contains("postgres") && cmdline.contains(" -D " + prefix)) {
                    postmaster = pid.getFileName().toString();
                    break;
                }
            }
            if (postmaster == null) {
                return 0;
            }
            long ticks = 0;
            for (Path pid : pids) {
                String[] stat = fields(read(pid.resolve("stat")));
                if (stat.length > 16 && (pid.getFileName().toString().equals(postmaster) || stat[3].equals(postmaster))) {
                    // utime, stime, cutime, cstime (fields 14–17, 1-based; the comm field removed)
                    ticks += Long.parseLong(stat[13]) + Long.parseLong(stat[14]) + Long.parseLong(stat[15]) + Long.parseLong(stat[16]);
                }
            }
            return ticks * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The fields of a stat line, the command name (which may hold spaces) replaced by one token. */
    private static String[] fields(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return new String[0];
        }
        return (stat.substring(0, stat.indexOf('(')) + "comm" + stat.substring(close + 1)).trim().split(" +");
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
