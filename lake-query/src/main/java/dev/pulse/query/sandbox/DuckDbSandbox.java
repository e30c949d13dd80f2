package dev.pulse.query.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.duckdb.DuckDBDriver;

/**
 * Short-lived, locked-down DuckDB connections, one per query. {@link #open} gives a connection
 * that can read exactly the given Parquet files and nothing else on the machine: no other file,
 * no network, no extension, no attached database, no write, and no way to change that, because
 * the configuration is locked before any caller's SQL runs.
 *
 * <p>The settings go in this order, each one before anything that could undo it:
 * <ol>
 *   <li>{@code temp_directory}: a fresh folder per query, set while file access is still on
 *       (DuckDB spills there; the folder is deleted when the session closes);</li>
 *   <li>{@code allowed_paths}: exactly the files, so a sibling such as {@code tbl_evil/} or
 *       {@code f.parquet.bak} stays out (an {@code allowed_directories} prefix would be looser);</li>
 *   <li>{@code enable_external_access=false}: from here only those files are reachable;</li>
 *   <li>extension auto-install and auto-load off;</li>
 *   <li>{@code threads}, {@code memory_limit};</li>
 *   <li>{@code lock_configuration=true}: no later SET or RESET can widen any of the above.</li>
 * </ol>
 * Then the view {@value #VIEW} over {@code read_parquet([...], hive_partitioning=false)}.
 */
public final class DuckDbSandbox implements AutoCloseable {
    /** The view every session reads its files through. */
    public static final String VIEW = "lake";
    /** How long a query waits for a free slot before it is refused as busy. */
    private static final long SLOT_WAIT_MS = 2_000;

    private final SandboxLimits limits;
    private final Semaphore slots;
    private final ScheduledExecutorService timer;

    public DuckDbSandbox(SandboxLimits limits) {
        this.limits = limits;
        this.slots = new Semaphore(limits.maxConcurrent(), true);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duckdb-query-timeout");
            t.setDaemon(true);
            return t;
        });
        try {
            Files.createDirectories(limits.tempRoot());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the DuckDB temp root " + limits.tempRoot(), e);
        }
        // Make sure the driver is registered even when the JDBC service loader is bypassed (shaded jars).
        DuckDBDriver.class.getName();
    }

    public SandboxLimits limits() {
        return limits;
    }

    /**
     * A session that may read exactly {@code files} (absolute, normalised paths; at least one)
     * through the view {@value #VIEW}. Close it to free the slot and delete its temp folder.
     */
    public SandboxSession open(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a sandbox session needs at least one file");
        }
        for (Path file : files) {
            if (!file.isAbsolute() || !file.normalize().equals(file)) {
                throw new SandboxException("refusing a file that is not an absolute, normalised path: " + file);
            }
        }
        acquireSlot();
        Path temp = null;
        Connection connection = null;
        try {
            temp = Files.createTempDirectory(limits.tempRoot(), "q-");
            connection = DriverManager.getConnection("jdbc:duckdb:");
            List<String> paths = files.stream().map(Path::toString).toList();
            lockDown(connection, temp, paths);
            SandboxSession session = new SandboxSession(connection, temp, limits, timer, slots::release);
            session.run("CREATE VIEW " + VIEW + " AS SELECT * FROM read_parquet(" + SqlLiterals.list(paths)
                    + ", hive_partitioning=false, union_by_name=true)");
            return session;
        } catch (SQLException | IOException | RuntimeException e) {
            // A half-built session is never handed out: undo what was done, then report.
            closeQuietly(connection, e);
            SandboxSession.deleteTree(temp);
            slots.release();
            if (e instanceof SandboxException se) {
                throw se;
            }
            throw new SandboxException("cannot open a DuckDB sandbox: " + e.getMessage(), e);
        }
    }

    private void lockDown(Connection connection, Path temp, List<String> paths) throws SQLException {
        List<String> settings = List.of(
                "SET temp_directory=" + SqlLiterals.string(temp.toString()),
                "SET allowed_paths=" + SqlLiterals.list(paths),
                "SET enable_external_access=false",
                "SET autoinstall_known_extensions=false",
                "SET autoload_known_extensions=false",
                "SET threads=" + limits.threads(),
                "SET memory_limit=" + SqlLiterals.string(limits.memoryLimit()),
                "SET lock_configuration=true");
        for (String setting : settings) {
            // One statement each: DuckDB's JDBC driver closes a Statement whose execution failed.
            try (Statement st = connection.createStatement()) {
                st.execute(setting);
            }
        }
    }

    private void acquireSlot() {
        try {
            if (!slots.tryAcquire(SLOT_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new SandboxBusyException("all " + limits.maxConcurrent() + " query slots are busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxBusyException("interrupted while waiting for a query slot");
        }
    }

    private static void closeQuietly(Connection connection, Exception cause) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
