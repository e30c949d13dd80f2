package dev.pulse.query.preview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.schemas.lake.LocalFileIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copies' bounds and crash safety, with the "object store" a folder read through a real FileIO. */
class ObjectFileCacheTest {
    @TempDir
    Path store;
    @TempDir
    Path dir;

    final LocalFileIO io = new LocalFileIO();
    final MutableClock clock = new MutableClock();

    ObjectFileCache.Remote object(String relative, int length) throws IOException {
        Path file = store.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[length]);
        return new ObjectFileCache.Remote(file.toString(), Path.of(relative), length);
    }

    @Test
    void copiesMirrorTheWarehouseBelowTheCacheAndAreReadAgainWithoutAFetch() throws IOException {
        ObjectFileCache cache = new ObjectFileCache(dir, 1_000, Duration.ofHours(1), clock);
        ObjectFileCache.Remote a = object("pulse_a/t/data/f1.parquet", 100);
        try (ObjectFileCache.Lease lease = cache.copies(io, List.of(a))) {
            assertThat(lease.paths()).containsExactly(dir.resolve("pulse_a/t/data/f1.parquet"));
        }
        Files.delete(store.resolve("pulse_a/t/data/f1.parquet"));
        try (ObjectFileCache.Lease lease = cache.copies(io, List.of(a))) {
            assertThat(lease.paths().getFirst()).hasSize(100);
        }
        assertThat(cache.bytes()).isEqualTo(100);
    }

    @Test
    void anObjectShorterThanItsManifestSaysIsRefusedAndLeavesNoCopy() throws IOException {
        ObjectFileCache cache = new ObjectFileCache(dir, 1_000, Duration.ofHours(1), clock);
        ObjectFileCache.Remote truncated = new ObjectFileCache.Remote(object("pulse_a/t/data/f.parquet", 10).location(),
                Path.of("pulse_a/t/data/f.parquet"), 50);
        assertThatThrownBy(() -> cache.copies(io, List.of(truncated))).isInstanceOf(LakeUnavailableException.class).hasMessageContaining("50");
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void theLeastRecentlyReadCopiesGoWhenTheCacheIsFullButNotWhileAQueryReadsThem() throws IOException {
        ObjectFileCache cache = new ObjectFileCache(dir, 250, Duration.ofHours(1), clock);
        ObjectFileCache.Remote one = object("pulse_a/t/data/1.parquet", 100);
        ObjectFileCache.Remote two = object("pulse_a/t/data/2.parquet", 100);
        ObjectFileCache.Remote three = object("pulse_b/t/data/3.parquet", 100);
        cache.copies(io, List.of(one)).close();
        clock.advance(Duration.ofSeconds(1));
        ObjectFileCache.Lease pinned = cache.copies(io, List.of(two));
        clock.advance(Duration.ofSeconds(1));
        cache.copies(io, List.of(three)).close();
        assertThat(dir.resolve("pulse_a/t/data/1.parquet")).doesNotExist();
        assertThat(dir.resolve("pulse_a/t/data/2.parquet")).exists();
        assertThat(cache.bytes()).isEqualTo(200);

        // Over the bound with only pinned copies: they stay until their query ends.
        ObjectFileCache.Lease all = cache.copies(io, List.of(one, three));
        assertThat(dir.resolve("pulse_a/t/data/2.parquet")).exists();
        assertThat(cache.bytes()).isEqualTo(300);
        all.close();
        pinned.close();
        clock.advance(Duration.ofSeconds(1));
        cache.copies(io, List.of(three)).close();
        assertThat(cache.bytes()).isLessThanOrEqualTo(250);
    }

    @Test
    void aCopyNotReadForTheIdleTimeIsDeleted() throws IOException {
        ObjectFileCache cache = new ObjectFileCache(dir, 10_000, Duration.ofMinutes(10), clock);
        cache.copies(io, List.of(object("pulse_gone/t/data/1.parquet", 100))).close();
        clock.advance(Duration.ofMinutes(11));
        cache.copies(io, List.of(object("pulse_b/t/data/2.parquet", 100))).close();
        assertThat(dir.resolve("pulse_gone/t/data/1.parquet")).doesNotExist();
        assertThat(cache.bytes()).isEqualTo(100);
    }

    @Test
    void aRestartKeepsWholeCopiesAndDeletesPartialOnes() throws IOException {
        new ObjectFileCache(dir, 10_000, Duration.ofHours(1), clock).copies(io, List.of(object("pulse_a/t/data/1.parquet", 100))).close();
        Path partial = dir.resolve("pulse_a/t/data/2.parquet.1234.part");
        Files.write(partial, new byte[7]);

        ObjectFileCache restarted = new ObjectFileCache(dir, 10_000, Duration.ofHours(1), Clock.systemUTC());

        assertThat(partial).doesNotExist();
        assertThat(restarted.bytes()).isEqualTo(100);
    }

    @Test
    void aRelativePathThatLeavesTheCacheIsRefused() throws IOException {
        ObjectFileCache cache = new ObjectFileCache(dir, 10_000, Duration.ofHours(1), clock);
        ObjectFileCache.Remote escape = new ObjectFileCache.Remote(object("x.parquet", 1).location(), Path.of("../x.parquet"), 1);
        assertThatThrownBy(() -> cache.copies(io, List.of(escape))).isInstanceOf(IsolationViolationException.class);
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-12-03T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
