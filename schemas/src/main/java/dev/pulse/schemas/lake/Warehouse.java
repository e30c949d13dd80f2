package dev.pulse.schemas.lake;

import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.io.FileIO;

/**
 * Where the tables' files live and the Iceberg FileIO that reads and writes them: a local (or
 * shared, mounted) folder with {@link LocalFileIO}, or a bucket of an S3-compatible object store
 * ({@code s3://bucket/prefix}) with Iceberg's S3FileIO. Every service opens its FileIO from here,
 * so the worker, lake-query and tenant deletion agree on the files.
 *
 * @param location   the warehouse root, without a trailing slash
 * @param fileIoImpl the FileIO class
 * @param properties the FileIO's properties (for S3: endpoint, region, path-style access,
 *                   credentials; the AWS SDK's default chain when no keys are given)
 */
public record Warehouse(String location, String fileIoImpl, Map<String, String> properties) {
    public static final String S3_FILE_IO = "org.apache.iceberg.aws.s3.S3FileIO";
    /** The settings of an S3 warehouse; blank strings are "not set". */
    public record S3(String endpoint, String region, String accessKeyId, String secretAccessKey) {
    }

    public Warehouse {
        location = stripTrailingSlash(location);
        properties = Map.copyOf(properties);
    }

    /** A folder with {@link LocalFileIO}. */
    public static Warehouse local(String location) {
        return new Warehouse(location, LocalFileIO.class.getName(), Map.of());
    }

    /**
     * The warehouse a service is configured with: {@code fileIoImpl} when given, else S3FileIO for
     * an {@code s3://} location and {@link LocalFileIO} for any other.
     */
    public static Warehouse of(String location, String fileIoImpl, S3 s3) {
        boolean objectStore = location.startsWith("s3://");
        String impl = fileIoImpl != null && !fileIoImpl.isBlank() ? fileIoImpl : objectStore ? S3_FILE_IO : LocalFileIO.class.getName();
        if (!objectStore) {
            return new Warehouse(location, impl, Map.of());
        }
        Map<String, String> props = new TreeMap<>();
        // The JDK's URLConnection client: the only HTTP client on the classpath (schemas' pom).
        props.put("http-client.type", "urlconnection");
        props.put("client.region", s3.region());
        // Fail within seconds when the store is away, not after S3FileIO's default 5 retries of up
        // to 20 s each: lake-query answers 503 while the client still waits, and the worker has
        // its own retries and back-off around a commit (PULSE_WORKER_MAX_RETRIES).
        props.put("s3.retry.num-retries", "3");
        props.put("s3.retry.min-wait-ms", "100");
        props.put("s3.retry.max-wait-ms", "1000");
        props.put("http-client.urlconnection.connection-timeout-ms", "2000");
        props.put("http-client.urlconnection.socket-timeout-ms", "30000");
        if (!s3.endpoint().isBlank()) {
            // An S3-compatible server (S3Proxy, MinIO, Ceph) serves buckets by path, not by host name.
            props.put("s3.endpoint", s3.endpoint());
            props.put("s3.path-style-access", "true");
        }
        if (!s3.accessKeyId().isBlank()) {
            props.put("s3.access-key-id", s3.accessKeyId());
            props.put("s3.secret-access-key", s3.secretAccessKey());
        }
        return new Warehouse(location, impl, props);
    }

    /**
     * The AWS SDK (since 2.30) adds CRC32 checksums to every upload and to DeleteObjects, which
     * S3-compatible servers that predate them refuse (S3Proxy 2.6: XAmzContentSHA256Mismatch on
     * PutObject). Iceberg has no property for it; the SDK reads these JVM-wide system properties
     * (as it reads AWS_REQUEST_CHECKSUM_CALCULATION), so they are set, unless already set, only in a
     * process that opens a FileIO for such a server, just before it does.
     */
    void prepareClients() {
        if (!properties.containsKey("s3.endpoint")) {
            return;
        }
        if (System.getProperty("aws.requestChecksumCalculation") == null) {
            System.setProperty("aws.requestChecksumCalculation", "when_required");
        }
        if (System.getProperty("aws.responseChecksumValidation") == null) {
            System.setProperty("aws.responseChecksumValidation", "when_required");
        }
    }

    /** The files are on this machine's file system (a local or mounted folder), so DuckDB can read them in place. */
    public boolean onLocalFileSystem() {
        return fileIoImpl.equals(LocalFileIO.class.getName());
    }

    /** A FileIO of this warehouse; the caller closes it. */
    public FileIO openFileIo() {
        prepareClients();
        return CatalogUtil.loadFileIO(fileIoImpl, properties, null);
    }

    @Override
    public String toString() {
        // Never the secret key: this is logged at start-up.
        return location + " (" + fileIoImpl.substring(fileIoImpl.lastIndexOf('.') + 1)
                + (properties.containsKey("s3.endpoint") ? " at " + properties.get("s3.endpoint") : "") + ")";
    }

    private static String stripTrailingSlash(String s) {
        return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }
}
