package dev.pulse.control.lifecycle.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * An archive as a plain directory, for operators who hand the files to another tool directly. It
 * must be new or empty. It is complete once {@code manifest.json} exists: the export writes that
 * file last.
 */
final class DirectorySink implements ArchiveSink {
    private final Path root;

    private DirectorySink(Path root) {
        this.root = root;
    }

    static DirectorySink create(Path root) throws IOException {
        if (Files.exists(root)) {
            if (!Files.isDirectory(root)) {
                throw new ArchiveException("archive-exists", root + " is a file: name a new directory, or a new file ending in .tar");
            }
            try (Stream<Path> children = Files.list(root)) {
                if (children.findAny().isPresent()) {
                    throw new ArchiveException("archive-exists", root + " is not empty: export into a new or empty directory");
                }
            }
        }
        Files.createDirectories(root);
        return new DirectorySink(root);
    }

    @Override
    public ArchiveEntry add(String path, long size, InputStream in) throws IOException {
        ArchiveLayout.checkPath(path);
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Sha256.Copied copied;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), 256 * 1024)) {
            copied = Sha256.copy(in, out, size);
        }
        if (copied.bytes() != size) {
            throw new IOException(path + ": expected " + size + " bytes, the source held " + copied.bytes());
        }
        return new ArchiveEntry(path, size, copied.sha256());
    }

    @Override
    public void finish() {
    }

    @Override
    public void close() {
    }
}
