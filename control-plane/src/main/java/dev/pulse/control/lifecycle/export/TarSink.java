package dev.pulse.control.lifecycle.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A POSIX (ustar) tar written front to back: each file's header, then its bytes (hashed on the
 * way), then padding to the next 512-byte block. Sizes above ustar's 8 GiB use the base-256
 * size field GNU tar, bsdtar and Python's tarfile read. The tar is written as
 * {@code <name>.partial} and renamed into place by {@link #finish}, so a file with the
 * operator's name is always a complete archive.
 */
final class TarSink implements ArchiveSink {
    static final int BLOCK = 512;
    private static final long USTAR_MAX_SIZE = 077777777777L;

    private final Path target;
    private final Path partial;
    private final OutputStream out;
    private final long mtime = System.currentTimeMillis() / 1000;
    private boolean finished;

    private TarSink(Path target, Path partial, OutputStream out) {
        this.target = target;
        this.partial = partial;
        this.out = out;
    }

    static TarSink create(Path target) throws IOException {
        if (Files.exists(target)) {
            throw new ArchiveException("archive-exists", target + " already exists: name a new file (export never overwrites one)");
        }
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE), 256 * 1024);
        return new TarSink(target, partial, out);
    }

    @Override
    public ArchiveEntry add(String path, long size, InputStream in) throws IOException {
        ArchiveLayout.checkPath(path);
        out.write(header(path, size, mtime));
        Sha256.Copied copied = Sha256.copy(in, out, size);
        if (copied.bytes() != size) {
            throw new IOException(path + ": expected " + size + " bytes, the source held " + copied.bytes());
        }
        int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
        out.write(new byte[pad]);
        return new ArchiveEntry(path, size, copied.sha256());
    }

    @Override
    public void finish() throws IOException {
        out.write(new byte[2 * BLOCK]); // end of archive: two zero blocks
        out.flush();
        out.close();
        try (var channel = java.nio.channels.FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        finished = true;
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            out.close();
            Files.deleteIfExists(partial);
        }
    }

    static byte[] header(String path, long size, long mtime) {
        byte[] h = new byte[BLOCK];
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, h, 0, name.length); // checkPath keeps names within 100 bytes
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        if (size <= USTAR_MAX_SIZE) {
            octal(h, 124, 12, size);
        } else { // base-256: the first byte's high bit set, the size big-endian in the rest
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        octal(h, 136, 12, mtime);
        h[156] = '0'; // a regular file
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) {
            h[i] = ' '; // the checksum is computed with its own field as spaces
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    /** Writes {@code value} as zero-padded octal digits followed by NUL in {@code length} bytes. */
    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(length - 1 - digits.length()) + digits;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, h, offset, length - 1);
        h[offset + length - 1] = 0;
    }

    /** The size a header names (octal or base-256), for the reader. */
    static long size(byte[] h) {
        if ((h[124] & 0x80) != 0) {
            long size = 0;
            for (int i = 125; i < 136; i++) {
                size = (size << 8) | (h[i] & 0xff);
            }
            return size;
        }
        return parseOctal(h, 124, 12);
    }

    static long parseOctal(byte[] h, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end && h[i] == ' ') {
            i++;
        }
        long value = 0;
        for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7') {
                throw new ArchiveException("not-an-archive", "a tar header holds a bad number");
            }
            value = value * 8 + (h[i] - '0');
        }
        return value;
    }
}
