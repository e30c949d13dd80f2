package dev.pulse.control.lifecycle.export;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * An export archive whose every file was checked against its manifest (size and SHA-256) before
 * anything reads it. A directory is checked where it is; a tar is unpacked, front to back with
 * one buffer, into a temporary directory that {@link #close} removes. Any difference — a file
 * missing, changed, truncated, or a manifest of another format — refuses the whole archive with a
 * message naming the file.
 */
final class VerifiedArchive implements AutoCloseable {
    private final Path root;
    private final boolean temporary;
    private final JsonNode manifest;

    private VerifiedArchive(Path root, boolean temporary, JsonNode manifest) {
        this.root = root;
        this.temporary = temporary;
        this.manifest = manifest;
    }

    static VerifiedArchive open(Path archive) {
        if (!Files.exists(archive)) {
            throw new ArchiveException("archive-not-found", "archive " + archive + " does not exist");
        }
        if (Files.isDirectory(archive)) {
            return verify(archive, false, archive);
        }
        Path unpacked = null;
        try {
            unpacked = Files.createTempDirectory("pulse-import-");
            untar(archive, unpacked);
            return verify(unpacked, true, archive);
        } catch (IOException e) {
            TenantExport.deleteTree(unpacked);
            throw new ArchiveException("not-an-archive", archive + " cannot be read as a tar file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            TenantExport.deleteTree(unpacked);
            throw e;
        }
    }

    Path root() {
        return root;
    }

    JsonNode manifest() {
        return manifest;
    }

    /** A file the manifest lists (and so was verified); any other name is refused. */
    Path file(String path) {
        ArchiveLayout.checkPath(path);
        boolean listed = false;
        for (JsonNode f : manifest.path("files")) {
            listed |= f.path("path").asText().equals(path);
        }
        if (!listed) {
            throw new ArchiveException("tampered-archive", "the archive's manifest does not list " + path);
        }
        return root.resolve(path);
    }

    JsonNode json(String path) {
        try {
            return TenantExport.JSON.readTree(file(path).toFile());
        } catch (IOException e) {
            throw new ArchiveException("not-an-archive", "archive file " + path + " is not JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (temporary) {
            TenantExport.deleteTree(root);
        }
    }

    private static VerifiedArchive verify(Path root, boolean temporary, Path named) {
        Path manifestFile = root.resolve(ArchiveLayout.MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new ArchiveException("not-an-archive", named + " is not a Pulse tenant export: it has no " + ArchiveLayout.MANIFEST
                    + " (an export that stopped half-way has none either)");
        }
        JsonNode manifest;
        try {
            manifest = TenantExport.JSON.readTree(manifestFile.toFile());
        } catch (IOException e) {
            throw new ArchiveException("tampered-archive", named + ": " + ArchiveLayout.MANIFEST + " is not JSON: " + e.getMessage(), e);
        }
        if (!ArchiveLayout.FORMAT.equals(manifest.path("format").asText()) || manifest.path("format_version").asInt() != ArchiveLayout.FORMAT_VERSION) {
            throw new ArchiveException("not-an-archive", named + " is not a " + ArchiveLayout.FORMAT + " version " + ArchiveLayout.FORMAT_VERSION
                    + " archive (its manifest says " + manifest.path("format").asText() + " " + manifest.path("format_version").asText() + ")");
        }
        for (JsonNode f : manifest.path("files")) {
            String path = f.path("path").asText();
            ArchiveLayout.checkPath(path);
            Path file = root.resolve(path);
            if (!Files.isRegularFile(file)) {
                throw new ArchiveException("tampered-archive", named + ": file " + path + " listed in the manifest is missing");
            }
            Sha256.Copied read;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 256 * 1024)) {
                read = Sha256.copy(in, null, -1);
            } catch (IOException e) {
                throw new ArchiveException("tampered-archive", named + ": file " + path + " cannot be read: " + e.getMessage(), e);
            }
            if (read.bytes() != f.path("bytes").asLong() || !read.sha256().equals(f.path("sha256").asText())) {
                throw new ArchiveException("tampered-archive", named + ": file " + path + " does not match the manifest ("
                        + read.bytes() + " bytes, sha256 " + read.sha256() + "; the manifest says " + f.path("bytes").asLong()
                        + " bytes, sha256 " + f.path("sha256").asText() + "); the archive was changed or damaged, nothing was imported");
            }
        }
        return new VerifiedArchive(root, temporary, manifest);
    }

    /** Unpacks regular files of a ustar archive; refuses links, devices and unsafe names. */
    private static void untar(Path tar, Path into) throws IOException {
        Map<String, Boolean> seen = new HashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tar), 256 * 1024)) {
            byte[] header = new byte[TarSink.BLOCK];
            while (true) {
                if (in.readNBytes(header, 0, TarSink.BLOCK) < TarSink.BLOCK) {
                    throw new IOException("the tar ends inside a header (truncated)");
                }
                if (isZero(header)) {
                    return;
                }
                int nameEnd = 0;
                while (nameEnd < 100 && header[nameEnd] != 0) {
                    nameEnd++;
                }
                String name = new String(header, 0, nameEnd, StandardCharsets.UTF_8);
                byte type = header[156];
                if (type != '0' && type != 0) {
                    throw new ArchiveException("not-an-archive", tar + ": entry '" + name + "' is not a regular file (type " + (char) type + ")");
                }
                ArchiveLayout.checkPath(name);
                if (seen.put(name, true) != null) {
                    throw new ArchiveException("tampered-archive", tar + ": file " + name + " appears twice");
                }
                long size = TarSink.size(header);
                Path file = into.resolve(name);
                Files.createDirectories(file.getParent());
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
                    if (Sha256.copy(in, out, size).bytes() != size) {
                        throw new ArchiveException("tampered-archive", tar + ": file " + name + " is truncated");
                    }
                }
                long pad = (TarSink.BLOCK - size % TarSink.BLOCK) % TarSink.BLOCK;
                in.skipNBytes(pad);
            }
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
