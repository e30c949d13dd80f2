package dev.pulse.control.lifecycle.deletion;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * The tenant's traces in the lake: every table of its namespace (listed from the catalog, not
 * from the dataset rows, so a table without a row is found too), with all data, metadata and
 * orphan files (everything under the namespace's folder, referenced or not), the namespace's
 * catalog entry and the folder itself.
 */
final class LakeStore {
    static final String STORE = "iceberg";

    private final Catalog catalog;
    private final SupportsNamespaces namespaces;
    private final FileIO io;
    private final String warehouse;

    LakeStore(Catalog catalog, FileIO io, String warehouse) {
        if (!(catalog instanceof SupportsNamespaces n)) {
            throw new IllegalArgumentException("the catalog must list namespaces");
        }
        if (!(io instanceof SupportsPrefixOperations)) {
            throw new DeletionException("the FileIO " + io.getClass().getName() + " cannot list a folder; tenant deletion needs one that can "
                    + "(SupportsPrefixOperations), to find orphan files");
        }
        this.catalog = catalog;
        this.namespaces = n;
        this.io = io;
        this.warehouse = warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
    }

    /** The tenant's folder: {@code <warehouse>/pulse_<id>/} (JdbcCatalog's default location of a namespace). */
    String folder(TenantId tenant) {
        return warehouse + "/" + LakeNames.namespace(tenant).level(0) + "/";
    }

    ObjectNode measure(TenantId tenant) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        List<TableIdentifier> tables = tables(tenant);
        out.put("namespace", LakeNames.namespace(tenant).toString());
        out.put("namespace_existed", namespaces.namespaceExists(LakeNames.namespace(tenant)));
        out.put("tables", tables.size());
        long snapshots = 0;
        for (TableIdentifier id : tables) {
            try {
                Table table = catalog.loadTable(id);
                for (var ignored : table.snapshots()) {
                    snapshots++;
                }
            } catch (NoSuchTableException e) {
                // dropped meanwhile
            }
        }
        out.put("snapshots", snapshots);
        long files = 0;
        long bytes = 0;
        for (String location : locations(tenant)) {
            for (FileInfo file : files(location)) {
                files++;
                bytes += file.size();
            }
        }
        out.put("files", files);
        out.put("bytes", bytes);
        out.put("folder", folder(tenant));
        return out;
    }

    /** Drops every table with purge, deletes every file left under the folder, the folder, then the namespace. */
    void delete(TenantId tenant) {
        List<String> locations = locations(tenant);
        for (TableIdentifier id : tables(tenant)) {
            catalog.dropTable(id, true);
        }
        for (String location : locations) {
            prefixIo().deletePrefix(location);
            removeLocalFolder(location);
        }
        try {
            namespaces.dropNamespace(LakeNames.namespace(tenant));
        } catch (NoSuchNamespaceException e) {
            // a previous run dropped it
        }
    }

    /** What is left: catalog entries (namespace, tables) and files under the tenant's folder(s). */
    ObjectNode remaining(TenantId tenant) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("namespace", namespaces.namespaceExists(LakeNames.namespace(tenant)));
        out.put("tables", tables(tenant).size());
        long files = 0;
        for (String location : locations(tenant)) {
            for (FileInfo ignored : files(location)) {
                files++;
            }
            if (localPath(location).map(Files::exists).orElse(false)) {
                files++; // the empty folder itself still counts as a trace
            }
        }
        out.put("files", files);
        return out;
    }

    private List<TableIdentifier> tables(TenantId tenant) {
        try {
            return catalog.listTables(LakeNames.namespace(tenant));
        } catch (NoSuchNamespaceException e) {
            return List.of();
        }
    }

    /** The tenant's folder, plus any table location outside it (the doctor reports those; deletion removes them anyway). */
    private List<String> locations(TenantId tenant) {
        List<String> out = new ArrayList<>();
        out.add(folder(tenant));
        for (TableIdentifier id : tables(tenant)) {
            try {
                String location = catalog.loadTable(id).location();
                String folder = location.endsWith("/") ? location : location + "/";
                if (!folder.startsWith(folder(tenant))) {
                    out.add(folder);
                }
            } catch (NoSuchTableException e) {
                // dropped meanwhile
            }
        }
        return out;
    }

    private Iterable<FileInfo> files(String location) {
        return prefixIo().listPrefix(location);
    }

    private SupportsPrefixOperations prefixIo() {
        return (SupportsPrefixOperations) io;
    }

    /** A local folder left empty by {@code deletePrefix} (which removes files only) goes too. */
    private static void removeLocalFolder(String location) {
        localPath(location).filter(Files::isDirectory).ifPresent(folder -> {
            try (Stream<Path> paths = Files.walk(folder)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove folder " + folder, e);
            }
        });
    }

    private static java.util.Optional<Path> localPath(String location) {
        if (location.startsWith("file:")) {
            return java.util.Optional.of(Path.of(URI.create(location)));
        }
        if (location.startsWith("/")) {
            return java.util.Optional.of(Path.of(location));
        }
        return java.util.Optional.empty();
    }
}
