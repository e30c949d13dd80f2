package dev.pulse.query.preview;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Location checks between Iceberg and DuckDB, in the warehouse's own space: local paths
 * ({@code /x}, {@code file:/x}) for a folder warehouse, {@code s3://bucket/key} for an object-store
 * one, each turned into an absolute {@link Path} ({@code /bucket/key} for S3) so that both are
 * checked the same way. A location of the other kind is refused, a {@code ..} segment is refused
 * before normalising, an object key may hold only the characters Iceberg writes (no escapes, which
 * S3 and this check could read differently), and "inside" is decided on path components, so
 * {@code .../tbl_evil/x} is not inside {@code .../tbl}.
 */
final class LakePaths {
    private static final String S3 = "s3://";
    /** What Iceberg writes in a key: folders, UUIDs, partition values like event_date=2026-12-03. */
    private static final Pattern OBJECT_KEY = Pattern.compile("[A-Za-z0-9._=/-]+");

    private final boolean objectStore;
    private final Path root;

    private LakePaths(boolean objectStore, Path root) {
        this.objectStore = objectStore;
        this.root = root;
    }

    /** The space of the warehouse at {@code location}: an {@code s3://} bucket or a local folder. */
    static LakePaths of(String warehouse) {
        boolean objectStore = warehouse.startsWith(S3);
        return new LakePaths(objectStore, parse(objectStore, warehouse));
    }

    /** The warehouse root as a path of this space. */
    Path root() {
        return root;
    }

    /** A location of this warehouse's kind as an absolute, normalised path. */
    Path path(String location) {
        return parse(objectStore, location);
    }

    private static Path parse(boolean objectStore, String location) {
        if (location == null || location.isEmpty()) {
            throw new IsolationViolationException("empty location");
        }
        Path path = objectStore ? objectPath(location) : localPath(location);
        if (!path.isAbsolute()) {
            throw new IsolationViolationException("relative location: " + location);
        }
        for (Path part : path) {
            if (part.toString().equals("..") || part.toString().equals(".")) {
                throw new IsolationViolationException("location with '" + part + "': " + location);
            }
        }
        return path.normalize();
    }

    private static Path objectPath(String location) {
        if (!location.startsWith(S3)) {
            throw new IsolationViolationException("location is not in the object store: " + location);
        }
        String bucketAndKey = location.substring(S3.length());
        if (!OBJECT_KEY.matcher(bucketAndKey).matches() || bucketAndKey.startsWith("/") || bucketAndKey.contains("//")) {
            throw new IsolationViolationException("object location with characters Iceberg does not write: " + location);
        }
        return Path.of("/" + bucketAndKey);
    }

    private static Path localPath(String location) {
        try {
            if (location.startsWith("file:")) {
                URI uri = URI.create(location);
                if (uri.getAuthority() != null && !uri.getAuthority().isEmpty() && !"localhost".equals(uri.getAuthority())) {
                    throw new IsolationViolationException("location on another host: " + location);
                }
                return Path.of(uri.getPath());
            }
            if (location.contains("://")) {
                throw new IsolationViolationException("location is not on the local file system: " + location);
            }
            return Path.of(location);
        } catch (IllegalArgumentException e) {
            throw new IsolationViolationException("unreadable location " + location + ": " + e.getMessage());
        }
    }

    /** {@code child} strictly below {@code parent}, by whole path components. */
    static boolean strictlyInside(Path child, Path parent) {
        return child.startsWith(parent) && !child.equals(parent);
    }

    /** The table's folder, required to lie below {@code <warehouse>/<namespace>/}. */
    Path tableFolder(String namespace, String tableLocation) {
        Path namespaceFolder = root.resolve(namespace).normalize();
        Path table = path(tableLocation);
        if (!root.equals(namespaceFolder.getParent()) || !strictlyInside(table, namespaceFolder)) {
            throw new IsolationViolationException("table location " + tableLocation + " is not inside " + namespaceFolder);
        }
        return table;
    }

    /** A data file, required to lie below the table's folder. */
    Path dataFile(Path tableFolder, String fileLocation) {
        Path file = path(fileLocation);
        if (!strictlyInside(file, tableFolder)) {
            throw new IsolationViolationException("data file " + fileLocation + " is not inside " + tableFolder);
        }
        return file;
    }
}
