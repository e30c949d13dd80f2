package dev.pulse.control.lifecycle.export;

/** One file of an archive as the manifest lists it: its path inside the archive, size and SHA-256 (hex). */
public record ArchiveEntry(String path, long bytes, String sha256) {
}
