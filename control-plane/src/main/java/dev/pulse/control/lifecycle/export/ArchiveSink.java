package dev.pulse.control.lifecycle.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where an export writes its files, one after the other, each hashed while it is written. A sink
 * is a tar file or a directory; both take the same paths. Nothing is kept in memory but the
 * current copy buffer.
 */
interface ArchiveSink extends AutoCloseable {

    /** Copies {@code size} bytes from {@code in} to {@code path}; fails when the stream holds another number of bytes. */
    ArchiveEntry add(String path, long size, InputStream in) throws IOException;

    /** Adds a file written beforehand (e.g. JSON Lines staged in a temporary file). */
    default ArchiveEntry add(String path, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return add(path, Files.size(file), in);
        }
    }

    default ArchiveEntry add(String path, byte[] content) throws IOException {
        return add(path, content.length, new java.io.ByteArrayInputStream(content));
    }

    /** Makes the archive complete where the operator named it (a tar is renamed into place only now). */
    void finish() throws IOException;

    /** Releases the sink; an unfinished tar is deleted, an unfinished directory stays (it has no manifest). */
    @Override
    void close() throws IOException;

    /** A sink for {@code target}: a tar file when its name ends in {@code .tar}, else a directory. */
    static ArchiveSink open(Path target) throws IOException {
        return target.getFileName().toString().endsWith(".tar") ? TarSink.create(target) : DirectorySink.create(target);
    }
}
