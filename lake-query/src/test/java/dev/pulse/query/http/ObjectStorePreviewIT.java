package dev.pulse.query.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.testing.TestStack;
import dev.pulse.query.LakeFixture;
import dev.pulse.query.LakeFixture.Event;
import dev.pulse.query.LakeFixture.TenantDataset;
import dev.pulse.query.LakeQuery;
import dev.pulse.query.QueryConfig;
import dev.pulse.schemas.naming.LakeNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every preview test of {@link PreviewIT} again, the isolation attacks included, with the
 * warehouse in a bucket of an S3-compatible server (S3Proxy) written and read through Iceberg's
 * S3FileIO, and DuckDB reading lake-query's local copies. Plus what only an object store has: the
 * copies are kept per tenant namespace, never hold a file another tenant's snapshot listed, and an
 * object-store outage is a 503 that ends by itself.
 */
class ObjectStorePreviewIT extends PreviewIT {
    static Path cache;

    /** Hides {@link PreviewIT#start()}: the same tests on the object-store stack. */
    @BeforeAll
    static void start() {
        stack = TestStack.objectStore();
        cache = temp.resolve("cache");
        query = LakeQuery.start(QueryConfig.from(stack.settings(Map.of(
                "PULSE_QUERY_TEMP_DIR", temp.resolve("duckdb").toString(),
                "PULSE_QUERY_CACHE_DIR", cache.toString(),
                // The outage test's 503 comes at this deadline (Iceberg retries a metadata read for about 90 s).
                "PULSE_QUERY_TIMEOUT_MS", "5000"))));
        client = new QueryClient(query.port());
    }

    @Test
    void theFilesAreObjectsInTheBucketAndTheCopiesLieInTheTenantsOwnFolder() throws IOException {
        TenantDataset a = LakeFixture.tenantWithDataset(stack, "orders");
        DataFile file = LakeFixture.append(a.table(), List.of(Event.at("o-1", T0, "/a"))).getFirst();
        TenantDataset b = LakeFixture.tenantWithDataset(stack, "orders");
        LakeFixture.append(b.table(), List.of(Event.at("o-2", T0, "/b")));
        String namespaceA = LakeNames.namespace(a.tenant().id()).level(0);
        String namespaceB = LakeNames.namespace(b.tenant().id()).level(0);
        assertThat(file.location()).startsWith("s3://pulse-warehouse/warehouse/" + namespaceA + "/");
        // Written through the S3 API: the server's folder holds it, the stack's warehouse folder holds nothing.
        Path bucket = stack.devStack().dataDir().resolve("s3/buckets/pulse-warehouse");
        assertThat(bucket.resolve(file.location().substring("s3://pulse-warehouse/".length()))).isRegularFile();
        try (Stream<Path> local = Files.walk(stack.devStack().dataDir().resolve("warehouse"))) {
            assertThat(local.filter(Files::isRegularFile)).isEmpty();
        }

        assertThat(client.get("/v1/datasets/orders/preview", a.queryToken()).raw().body()).contains("o-1").doesNotContain("o-2");
        assertThat(client.get("/v1/datasets/orders/preview", b.queryToken()).raw().body()).contains("o-2").doesNotContain("o-1");

        // One copy of A's file, at A's path below the cache, of the manifest's length; B's copy in B's folder.
        Path copyOfA = cache.resolve(file.location().substring("s3://pulse-warehouse/warehouse/".length()));
        assertThat(copies(namespaceA)).containsExactly(copyOfA);
        assertThat(Files.size(copyOfA)).isEqualTo(file.fileSizeInBytes());
        assertThat(copies(namespaceB)).hasSize(1);
    }

    @Test
    void aFileListedInAnotherTenantsSnapshotIsNeverCopied() throws IOException {
        TenantDataset victim = LakeFixture.tenantWithDataset(stack, "ledger");
        DataFile victimFile = LakeFixture.append(victim.table(), List.of(Event.at("v-1", T0, "/secret-of-victim"))).getFirst();
        TenantDataset attacker = LakeFixture.tenantWithDataset(stack, "ledger");
        LakeFixture.append(attacker.table(), List.of(Event.at("x-1", T0, "/own")));
        attacker.table().refresh();
        attacker.table().newAppend().appendFile(org.apache.iceberg.DataFiles.builder(attacker.table().spec())
                .copy(victimFile).withPath(victimFile.location()).build()).commit();

        assertThat(client.get("/v1/datasets/ledger/preview", attacker.queryToken()).status()).isEqualTo(404);

        // Refused at the location check, before anything was fetched: no copy of the victim's file anywhere.
        String victimName = Path.of(victimFile.location().substring("s3://".length())).getFileName().toString();
        try (Stream<Path> all = Files.walk(cache)) {
            assertThat(all.filter(p -> p.getFileName().toString().startsWith(victimName))).isEmpty();
        }
    }

    @Test
    void anObjectStoreOutageIsA503ThatEndsWithoutAnOperator() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "metrics");
        LakeFixture.append(ds.table(), List.of(Event.at("m-1", T0, "/before")));
        assertThat(client.get("/v1/datasets/metrics/preview", ds.queryToken()).status()).isEqualTo(200);
        stack.devStack().stopObjectStore();
        try {
            long started = System.nanoTime();
            QueryClient.Response during = client.get("/v1/datasets/metrics/preview", ds.queryToken());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            assertThat(during.status()).as(during.raw().body()).isEqualTo(503);
            assertThat(during.contentType()).startsWith("application/problem+json");
            assertThat(during.body().get("type").asText()).isEqualTo("https://pulse.dev/problems/lake-unavailable");
        } finally {
            stack.devStack().startObjectStore();
        }
        QueryClient.Response after = client.get("/v1/datasets/metrics/preview", ds.queryToken());
        assertThat(after.status()).as(after.raw().body()).isEqualTo(200);
        assertThat(after.raw().body()).contains("m-1");
    }

    private static List<Path> copies(String namespace) throws IOException {
        try (Stream<Path> files = Files.walk(cache.resolve(namespace))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
