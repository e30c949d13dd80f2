package dev.pulse.query.preview;

import java.net.URI;
import java.nio.file.Path;

/**
 * Location checks between Iceberg and DuckDB. Only local paths are accepted (the sandbox has no
 * network), a {@code ..} segment is refused before normalising, and "inside" is decided on path
 * components, so {@code .../tbl_evil/x} is not inside {@code .../tbl}.
 */
final class LakePaths {
    private LakePaths() {
    }

    /** A local absolute path for an Iceberg location ({@code /x} or {@code file:/x}). */
    static Path local(String location) {
        if (location == null || location.isEmpty()) {
            throw new IsolationViolationException("empty location");
        }
        Path path;
        try {
            if (location.startsWith("file:")) {
                URI uri = URI.create(location);
                if (uri.getAuthority() != null && !uri.getAuthority().isEmpty() && !"localhost".equals(uri.getAuthority())) {
                    throw new IsolationViolationException("location on another host: " + location);
                }
                path = Path.of(uri.getPath());
            } else if (location.contains("://")) {
                throw new IsolationViolationException("location is not on the local file system: " + location);
            } else {
                path = Path.of(location);
            }
        } catch (IllegalArgumentException e) {
            throw new IsolationViolationException("unreadable location " + location + ": " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw new IsolationViolationException("relative location: " + location);
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw new IsolationViolationException("location with '..': " + location);
            }
        }
        return path.normalize();
    }

    /** {@code child} strictly below {@code parent}, by whole path components. */
    static boolean strictlyInside(Path child, Path parent) {
        return child.startsWith(parent) && !child.equals(parent);
    }

    /** The table's folder, required to lie below {@code <warehouse>/<namespace>/}. */
    static Path tableFolder(Path warehouse, String namespace, String tableLocation) {
        Path namespaceFolder = warehouse.resolve(namespace).normalize();
        Path table = local(tableLocation);
        if (!namespaceFolder.getParent().equals(warehouse) || !strictlyInside(table, namespaceFolder)) {
            throw new IsolationViolationException("table location " + tableLocation + " is not inside " + namespaceFolder);
        }
        return table;
    }

    /** A data file, required to lie below the table's folder. */
    static Path dataFile(Path tableFolder, String fileLocation) {
        Path file = local(fileLocation);
        if (!strictlyInside(file, tableFolder)) {
            throw new IsolationViolationException("data file " + fileLocation + " is not inside " + tableFolder);
        }
        return file;
    }
}
