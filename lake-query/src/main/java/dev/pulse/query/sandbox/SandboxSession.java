package dev.pulse.query.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One locked-down DuckDB connection (see {@link DuckDbSandbox}). Every statement runs under the
 * query timeout (a timer cancels it) and may return at most the row limit.
 */
public final class SandboxSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxSession.class);

    private final Connection connection;
    private final Path tempDirectory;
    private final SandboxLimits limits;
    private final ScheduledExecutorService timer;
    private final Runnable releaseSlot;
    private final AtomicBoolean closed = new AtomicBoolean();

    SandboxSession(Connection connection, Path tempDirectory, SandboxLimits limits, ScheduledExecutorService timer, Runnable releaseSlot) {
        this.connection = connection;
        this.tempDirectory = tempDirectory;
        this.limits = limits;
        this.timer = timer;
        this.releaseSlot = releaseSlot;
    }

    /** The folder DuckDB may spill to; deleted on close. */
    public Path tempDirectory() {
        return tempDirectory;
    }

    /** Runs one statement; throws {@link SandboxException} when DuckDB refuses or fails it. */
    public SandboxResult run(String sql) {
        if (closed.get()) {
            throw new SandboxException("the sandbox session is closed");
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        try (Statement statement = connection.createStatement()) {
            ScheduledFuture<?> deadline = timer.schedule(() -> {
                timedOut.set(true);
                cancelQuietly(statement);
            }, limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
            try {
                if (!statement.execute(sql)) {
                    return SandboxResult.empty();
                }
                try (ResultSet rs = statement.getResultSet()) {
                    return read(rs);
                }
            } finally {
                deadline.cancel(false);
            }
        } catch (SQLException e) {
            if (timedOut.get()) {
                throw new QueryTimeoutException("the query ran longer than " + limits.timeout().toMillis() + " ms and was cancelled", e);
            }
            throw new SandboxException(firstLine(e.getMessage()), e);
        }
    }

    private SandboxResult read(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        List<SandboxResult.Column> columns = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            columns.add(new SandboxResult.Column(meta.getColumnName(i), meta.getColumnTypeName(i)));
        }
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
            if (rows.size() == limits.maxRows()) {
                throw new ResultTooLargeException("the result has more than " + limits.maxRows() + " rows");
            }
            List<Object> row = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                row.add(JsonValues.convert(rs.getObject(i)));
            }
            rows.add(row);
        }
        return new SandboxResult(List.copyOf(columns), rows);
    }

    private static void cancelQuietly(Statement statement) {
        try {
            statement.cancel();
        } catch (SQLException e) {
            // The statement finished (and was closed) between the deadline and the cancel: nothing to stop.
            LOG.debug("cancel after completion: {}", e.getMessage());
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "DuckDB failed without a message";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("closing a DuckDB sandbox connection failed: {}", e.getMessage());
        }
        try {
            deleteTree(tempDirectory);
        } catch (UncheckedIOException e) {
            LOG.warn("{}", e.getMessage());
        } finally {
            releaseSlot.run();
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the DuckDB temp folder " + root, e);
        }
    }
}
