package dev.pulse.control.lifecycle.export;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The names inside an export archive, and the README that explains them. Format version
 * {@value #FORMAT_VERSION}; an import refuses an archive of another format or version.
 *
 * <pre>
 * README.md                              how to read every file without Pulse
 * manifest.json                          written last: every other file's size and SHA-256, each table's snapshot
 * tenant.json                            the tenant: id, slug, name, tier, status, created_at
 * keys.json                              API key metadata: key id, name, scopes, dates, status (no secret, no hash)
 * schemas.json                           every registered schema version: name, version, compatibility, fingerprint, file
 * schemas/&lt;name&gt;/v&lt;version&gt;.json         each version's JSON Schema, as registered
 * datasets.json                          dataset definitions, each with its table's snapshot id and row count
 * datasets/&lt;slug&gt;/table-schema.json      the table's Iceberg schema at the snapshot (Iceberg's JSON)
 * datasets/&lt;slug&gt;/table-schemas.json     every Iceberg schema version the table had
 * datasets/&lt;slug&gt;/partition-spec.json    the table's partition spec (Iceberg's JSON)
 * datasets/&lt;slug&gt;/data/part-NNNNNN.parquet  the snapshot's data files, byte for byte
 * audit.jsonl                            the tenant's audit entries, oldest first, one JSON object a line
 * dead-letters.jsonl                     its open and parked dead letters, one JSON object a line
 * </pre>
 */
public final class ArchiveLayout {
    public static final String FORMAT = "pulse-tenant-export";
    public static final int FORMAT_VERSION = 1;

    public static final String README = "README.md";
    public static final String MANIFEST = "manifest.json";
    public static final String TENANT = "tenant.json";
    public static final String KEYS = "keys.json";
    public static final String SCHEMAS = "schemas.json";
    public static final String DATASETS = "datasets.json";
    public static final String AUDIT = "audit.jsonl";
    public static final String DEAD_LETTERS = "dead-letters.jsonl";

    /** Relative, forward slashes, no dot segments, short enough for a plain ustar name field. */
    private static final Pattern SAFE_PATH = Pattern.compile("[a-z0-9A-Z_.-]+(/[a-z0-9A-Z_.-]+)*");

    private ArchiveLayout() {
    }

    static String schemaFile(String name, int version) {
        return "schemas/" + name + "/v" + version + ".json";
    }

    static String tableSchema(String dataset) {
        return "datasets/" + dataset + "/table-schema.json";
    }

    static String tableSchemas(String dataset) {
        return "datasets/" + dataset + "/table-schemas.json";
    }

    static String partitionSpec(String dataset) {
        return "datasets/" + dataset + "/partition-spec.json";
    }

    static String dataFile(String dataset, int index) {
        return String.format("datasets/%s/data/part-%06d.parquet", dataset, index);
    }

    /** Refuses a path an archive must never hold: absolute, with {@code ..}, or too long for a tar header. */
    static void checkPath(String path) {
        if (!SAFE_PATH.matcher(path).matches() || path.getBytes(StandardCharsets.UTF_8).length > 100
                || ("/" + path + "/").contains("/../") || ("/" + path + "/").contains("/./")) {
            throw new ArchiveException("unsafe-archive-path", "archive path '" + path + "' is not a plain relative name of at most 100 bytes");
        }
    }

    static String readme(String slug, String tenantId) {
        return """
                # Pulse tenant export: %s

                This archive holds everything the Pulse tenant `%s` (id `%s`) owned when it was exported.
                Every file is a plain format; nothing here needs Pulse to be read. `pulse tenant import <archive> --as <slug>`
                recreates the tenant from it in a Pulse deployment.

                ## Layout

                | file | what it holds | format |
                |---|---|---|
                | `manifest.json` | every other file with its size in bytes and SHA-256; each dataset's snapshot id | JSON |
                | `tenant.json` | the tenant: id, slug, name, tier, status, created_at | JSON |
                | `keys.json` | API key metadata: key id, name, scopes, created/expires/revoked/last used, status. No secret and no hash of one: keys do not move; issue new ones | JSON |
                | `schemas.json` | every registered schema version: name, version, compatibility rule, fingerprint, created_at, and the file with its definition | JSON |
                | `schemas/<name>/v<version>.json` | one version's JSON Schema exactly as it was registered | JSON |
                | `datasets.json` | dataset definitions: slug, schema name and version, partitioning, bucket, table, the snapshot id the data was read at, row count, data files | JSON |
                | `datasets/<slug>/table-schema.json` | the table's Iceberg schema at that snapshot (Iceberg's JSON, field ids included) | JSON |
                | `datasets/<slug>/table-schemas.json` | every Iceberg schema version of the table | JSON array |
                | `datasets/<slug>/partition-spec.json` | the table's Iceberg partition spec | JSON |
                | `datasets/<slug>/data/part-NNNNNN.parquet` | the table's rows at that snapshot | Parquet |
                | `audit.jsonl` | the tenant's audit entries, oldest first (seq, at, actor, action, detail) | JSON Lines |
                | `dead-letters.jsonl` | its open and parked dead letters: reason, message, violations, source offset, attempts, the original record (`payload_base64`, `key_base64`, headers) | JSON Lines |

                ## Checking the archive

                `manifest.json` lists every other file with its SHA-256:

                    python3 -c "import json,hashlib;m=json.load(open('manifest.json'));[print(f['path'], hashlib.sha256(open(f['path'],'rb').read()).hexdigest()==f['sha256']) for f in m['files']]"

                or `sha256sum` on each file.

                ## Reading the rows

                Each dataset's rows are Parquet files; the columns are the envelope (`event_id`, `event_time`,
                `received_at`) then the schema's fields. With DuckDB:

                    SELECT * FROM read_parquet('datasets/<slug>/data/*.parquet', union_by_name = true);

                With pyarrow:

                    import glob, pyarrow as pa, pyarrow.dataset as ds, pyarrow.parquet as pq
                    files = sorted(glob.glob('datasets/<slug>/data/*.parquet'))
                    schema = pa.unify_schemas([pq.read_schema(f) for f in files])
                    table = ds.dataset(files, schema=schema, format='parquet').to_table()

                `union_by_name` (DuckDB) and the unified schema (pyarrow) matter when the dataset's schema gained
                columns over time: older files lack the newer columns (they read as NULL). Every Parquet column
                carries its Iceberg field id, which `table-schema.json` names.

                The data files are the table's own files at the snapshot named in `manifest.json`, copied byte for
                byte (no rewrite): the export is as fast as a file copy, and the rows are exactly the snapshot's.
                Pulse never writes Iceberg delete files, so every row of these files is a row of the table; an
                export of a table that has delete files is refused rather than written wrong.

                ## Reading the rest

                    SELECT * FROM read_json('audit.jsonl');
                    SELECT * FROM read_json('dead-letters.jsonl');

                or, in Python, `[json.loads(line) for line in open('audit.jsonl')]`.
                """.formatted(slug, slug, tenantId);
    }
}
