package dev.pulse.schemas.lake;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.io.BulkDeletionFailureException;
import org.apache.iceberg.io.SupportsBulkOperations;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.io.FileInfo;

/**
 * A FileIO over the local file system with java.nio, so the default warehouse needs no Hadoop
 * file system. Locations are absolute paths, with or without a {@code file:} scheme. Listing by
 * prefix ({@link SupportsPrefixOperations}) is what lake maintenance uses to find orphan files.
 * Deleting many files at once ({@link SupportsBulkOperations}) deletes them one after the other
 * on the calling thread: without it Iceberg deletes a commit's replaced metadata files on its
 * shared pool and the committing thread polls for them every 10 ms ({@code Tasks.waitFor}).
 */
public class LocalFileIO implements FileIO, SupportsPrefixOperations, SupportsBulkOperations {

    public LocalFileIO() {
    }

    static Path toPath(String location) {
        if (location.startsWith("file:")) {
            return Path.of(URI.create(location));
        }
        return Path.of(location);
    }

    @Override
    public InputFile newInputFile(String location) {
        return new LocalInputFile(location, -1);
    }

    @Override
    public InputFile newInputFile(String location, long length) {
        return new LocalInputFile(location, length);
    }

    @Override
    public OutputFile newOutputFile(String location) {
        return new LocalOutputFile(location);
    }

    @Override
    public void deleteFile(String location) {
        try {
            Files.deleteIfExists(toPath(location));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + location, e);
        }
    }

    /**
     * Every regular file whose location starts with {@code prefix} (as text: a prefix that should
     * name a folder must end with {@code /}), with its size and last-modified time (the local file
     * system has no creation time that every platform keeps; a file is not modified after it is
     * written). Same form as the prefix: plain paths for a plain prefix, {@code file:} URIs for one.
     */
    @Override
    public Iterable<FileInfo> listPrefix(String prefix) {
        Path start = toPath(prefix);
        Path folder = prefix.endsWith("/") ? start : start.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            return java.util.List.of();
        }
        String wanted = start.toString() + (prefix.endsWith("/") ? "/" : "");
        boolean uri = prefix.startsWith("file:");
        java.util.List<FileInfo> out = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.walk(folder)) {
            files.filter(Files::isRegularFile).filter(p -> p.toString().startsWith(wanted)).forEach(p -> {
                try {
                    var attributes = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
                    out.add(new FileInfo(uri ? p.toUri().toString() : p.toString(), attributes.size(), attributes.lastModifiedTime().toMillis()));
                } catch (NoSuchFileException e) {
                    // deleted while listing
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (NoSuchFileException e) {
            return java.util.List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + prefix, e);
        }
        return out;
    }

    @Override
    public void deleteFiles(Iterable<String> locations) throws BulkDeletionFailureException {
        int failed = 0;
        for (String location : locations) {
            try {
                deleteFile(location);
            } catch (UncheckedIOException e) {
                failed++;
            }
        }
        if (failed > 0) {
            throw new BulkDeletionFailureException(failed);
        }
    }

    @Override
    public void deletePrefix(String prefix) {
        for (FileInfo file : listPrefix(prefix)) {
            deleteFile(file.location());
        }
    }

    private record LocalInputFile(String location, long knownLength) implements InputFile {
        @Override
        public long getLength() {
            if (knownLength >= 0) {
                return knownLength;
            }
            try {
                return Files.size(toPath(location));
            } catch (NoSuchFileException e) {
                throw new NotFoundException(e, "file does not exist: %s", location);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public SeekableInputStream newStream() {
            try {
                return new ChannelInputStream(FileChannel.open(toPath(location), StandardOpenOption.READ));
            } catch (NoSuchFileException e) {
                throw new NotFoundException(e, "file does not exist: %s", location);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean exists() {
            return Files.exists(toPath(location));
        }
    }

    private record LocalOutputFile(String location) implements OutputFile {
        @Override
        public PositionOutputStream create() {
            return open(StandardOpenOption.CREATE_NEW);
        }

        @Override
        public PositionOutputStream createOrOverwrite() {
            return open(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        private PositionOutputStream open(StandardOpenOption... mode) {
            Path path = toPath(location);
            try {
                Files.createDirectories(path.getParent());
                FileChannel channel = FileChannel.open(path, with(mode, StandardOpenOption.WRITE));
                return new ChannelOutputStream(channel);
            } catch (FileAlreadyExistsException e) {
                throw new AlreadyExistsException(e, "file already exists: %s", location);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + location, e);
            }
        }

        private static StandardOpenOption[] with(StandardOpenOption[] mode, StandardOpenOption extra) {
            StandardOpenOption[] all = java.util.Arrays.copyOf(mode, mode.length + 1);
            all[mode.length] = extra;
            return all;
        }

        @Override
        public InputFile toInputFile() {
            return new LocalInputFile(location, -1);
        }
    }

    private static final class ChannelInputStream extends SeekableInputStream {
        private final FileChannel channel;
        private final ByteBuffer single = ByteBuffer.allocate(1);

        ChannelInputStream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public long getPos() throws IOException {
            return channel.position();
        }

        @Override
        public void seek(long newPos) throws IOException {
            channel.position(newPos);
        }

        @Override
        public int read() throws IOException {
            single.clear();
            int n = channel.read(single);
            return n <= 0 ? -1 : single.get(0) & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return channel.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class ChannelOutputStream extends PositionOutputStream {
        private final FileChannel channel;
        private final OutputStream out;
        private long position;

        ChannelOutputStream(FileChannel channel) {
            this.channel = channel;
            this.out = java.nio.channels.Channels.newOutputStream(channel);
        }

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            position += len;
        }

        /**
         * Data files must be on disk before the snapshot that lists them is committed. Closing
         * twice is a no-op: Iceberg's metadata writer closes its stream once through a wrapping
         * writer and once itself.
         */
        @Override
        public void close() throws IOException {
            if (!channel.isOpen()) {
                return;
            }
            try {
                channel.force(true);
            } finally {
                out.close();
            }
        }
    }
}
