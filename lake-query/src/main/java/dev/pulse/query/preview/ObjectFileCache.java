package dev.pulse.query.preview;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local copies of an object-store warehouse's data files, for DuckDB, which reads only local
 * files here (its httpfs extension cannot be installed, and a sandbox with network access would
 * not be one). Iceberg never rewrites a data file in place, so a copy of the expected length is the
 * file, and stays valid until it is evicted.
 *
 * <p>Layout mirrors the warehouse below its root: {@code <dir>/<namespace>/<table>/data/...}, one
 * folder per tenant namespace; what is copied has already been checked to lie inside the
 * tenant's own table folder ({@link LakePaths}), and DuckDB is still confined to exactly the
 * selected copies. A copy is written to a temporary name in the same folder and moved into place,
 * so a crash leaves no partial file under a real name (leftover {@code .part} files are deleted at
 * start). Bounded twice: at most {@code maxBytes} (least recently read copies go first) and no
 * copy outlives {@code maxIdle} without a read, so the copies of a deleted tenant or of files
 * that compaction replaced are gone within {@code maxIdle} of their last read. Copies a running
 * query reads are pinned and never evicted under it.
 */
final class ObjectFileCache {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectFileCache.class);
    private static final String PART = ".part";

    /** A data file to copy: its location, its path relative to the warehouse root, its length. */
    record Remote(String location, Path relative, long length) {
    }

    private record Entry(long length, long lastRead, int pins) {
    }

    private final Path dir;
    private final long maxBytes;
    private final Duration maxIdle;
    private final Clock clock;
    private final Object lock = new Object();
    private final Map<Path, Entry> entries = new HashMap<>();
    private long bytes;

    ObjectFileCache(Path dir, long maxBytes, Duration maxIdle, Clock clock) {
        this.dir = dir.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        this.maxIdle = maxIdle;
        this.clock = clock;
        try {
            Files.createDirectories(this.dir);
            recover();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the query cache " + this.dir, e);
        }
    }

    /** The copies of {@code files}, made where missing and pinned until the lease is closed. */
    Lease copies(FileIO io, List<Remote> files) {
        Lease lease = new Lease();
        try {
            for (Remote file : files) {
                lease.add(copy(io, file));
            }
            evict();
            return lease;
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** Bytes held now (for tests and metrics). */
    long bytes() {
        synchronized (lock) {
            return bytes;
        }
    }

    private Path copy(FileIO io, Remote file) {
        Path target = dir.resolve(file.relative()).normalize();
        if (!LakePaths.strictlyInside(target, dir) || file.relative().isAbsolute()) {
            throw new IsolationViolationException("cache path " + target + " is not inside " + dir);
        }
        synchronized (lock) {
            Entry entry = entries.get(target);
            if (entry != null && entry.length() == file.length()) {
                entries.put(target, new Entry(entry.length(), now(), entry.pins() + 1));
                return target;
            }
        }
        download(io, file, target);
        synchronized (lock) {
            Entry old = entries.put(target, new Entry(file.length(), now(), 1));
            bytes += file.length() - (old == null ? 0 : old.length());
            if (old != null && old.pins() > 0) {
                // Another query copied the same file at the same moment: one entry, both pins.
                entries.put(target, new Entry(file.length(), now(), old.pins() + 1));
            }
        }
        return target;
    }

    private static void download(FileIO io, Remote file, Path target) {
        Path part = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + PART);
        try {
            Files.createDirectories(target.getParent());
            try (InputStream in = io.newInputFile(file.location(), file.length()).newStream()) {
                Files.copy(in, part);
            }
            long copied = Files.size(part);
            if (copied != file.length()) {
                throw new LakeUnavailableException("the object " + file.location() + " holds " + copied + " bytes, its manifest says "
                        + file.length(), null);
            }
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UncheckedIOException | org.apache.iceberg.exceptions.NotFoundException e) {
            throw new LakeUnavailableException("cannot copy " + file.location() + " from the object store: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof LakeUnavailableException) {
                throw e;
            }
            // The AWS SDK's errors (no connection, 5xx) are runtime exceptions of its own.
            throw new LakeUnavailableException("cannot copy " + file.location() + " from the object store: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                LOG.warn("cannot delete the partial copy {}: {}", part, e.toString());
            }
        }
    }

    /**
     * Idle copies first, then the least recently read until the cache fits; pinned copies stay.
     * Files are deleted under the lock: deleted after it, a copy of the same file that another
     * request made meanwhile (it found no entry and fetched again) could be deleted under it.
     */
    private void evict() {
        synchronized (lock) {
            long idleBefore = now() - maxIdle.toMillis();
            List<Map.Entry<Path, Entry>> unpinned = entries.entrySet().stream()
                    .filter(e -> e.getValue().pins() == 0)
                    .sorted(Comparator.comparingLong(e -> e.getValue().lastRead()))
                    .toList();
            for (Map.Entry<Path, Entry> e : unpinned) {
                if (e.getValue().lastRead() >= idleBefore && bytes <= maxBytes) {
                    break;
                }
                Path p = e.getKey();
                bytes -= entries.remove(p).length();
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ex) {
                    LOG.warn("cannot delete the cached copy {}: {}", p, ex.toString());
                }
            }
        }
    }

    private void release(Path target) {
        synchronized (lock) {
            Entry entry = entries.get(target);
            if (entry != null) {
                entries.put(target, new Entry(entry.length(), entry.lastRead(), Math.max(0, entry.pins() - 1)));
            }
        }
    }

    /** Indexes the copies a previous run left (they are still valid), deletes its partial ones, then applies the bounds. */
    private void recover() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                try {
                    if (p.getFileName().toString().endsWith(PART)) {
                        Files.deleteIfExists(p);
                    } else {
                        long length = Files.size(p);
                        entries.put(p, new Entry(length, Files.getLastModifiedTime(p).toMillis(), 0));
                        bytes += length;
                    }
                } catch (NoSuchFileException e) {
                    // Removed meanwhile: nothing to index.
                }
            }
        }
        evict();
    }

    private long now() {
        return clock.millis();
    }

    /** The copies one query reads; closing it unpins them. */
    final class Lease implements AutoCloseable {
        private final List<Path> paths = new ArrayList<>();
        private boolean closed;

        private void add(Path path) {
            paths.add(path);
        }

        List<Path> paths() {
            return List.copyOf(paths);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                paths.forEach(ObjectFileCache.this::release);
            }
        }
    }
}
