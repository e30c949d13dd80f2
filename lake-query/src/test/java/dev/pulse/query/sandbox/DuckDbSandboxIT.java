package dev.pulse.query.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.control.testing.TestStack;
import dev.pulse.query.LakeFixture.Event;
import dev.pulse.query.LakeFixture.TenantDataset;
import dev.pulse.query.LakeFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks a sandbox session directly, as if the SQL came from a hostile analyst: the session may
 * read tenant A's one data file and must refuse everything else.
 */
class DuckDbSandboxIT {
    private static final String REFUSED_ACCESS = "disabled by configuration";
    private static final String LOCKED = "configuration has been locked";

    static TestStack stack;
    static Path fileOfA;
    static Path fileOfB;
    static Path siblingWithSamePrefix;
    static Path backupNextToIt;
    static DuckDbSandbox sandbox;

    @TempDir
    static Path scratch;

    SandboxSession session;

    @BeforeAll
    static void writeTablesOfTwoTenants() throws Exception {
        stack = TestStack.shared();
        TenantDataset a = LakeFixture.tenantWithDataset(stack, "clicks");
        TenantDataset b = LakeFixture.tenantWithDataset(stack, "clicks");
        Instant t = Instant.parse("2026-11-24T21:00:00Z");
        fileOfA = Path.of(LakeFixture.append(a.table(), List.of(Event.at("a1", t, "/a"), Event.at("a2", t, "/a"))).getFirst().location());
        fileOfB = Path.of(LakeFixture.append(b.table(), List.of(Event.at("b1", t, "/secret-of-b"))).getFirst().location());
        // A folder next to A's table whose name starts with the table's name, and a copy beside A's file.
        Path tableOfA = Path.of(a.table().location());
        siblingWithSamePrefix = tableOfA.resolveSibling(tableOfA.getFileName() + "_evil").resolve("data").resolve(fileOfA.getFileName());
        Files.createDirectories(siblingWithSamePrefix.getParent());
        Files.copy(fileOfA, siblingWithSamePrefix);
        backupNextToIt = fileOfA.resolveSibling(fileOfA.getFileName() + ".bak");
        Files.copy(fileOfA, backupNextToIt);
        sandbox = new DuckDbSandbox(new SandboxLimits(2, "256MB", Duration.ofSeconds(20), 1000, scratch.resolve("tmp"), 4));
    }

    @AfterAll
    static void closeSandbox() {
        sandbox.close();
    }

    @BeforeEach
    void openOnTenantAsFile() {
        session = sandbox.open(List.of(fileOfA));
    }

    @AfterEach
    void closeSession() {
        session.close();
    }

    private void assertRefused(String sql, String reason) {
        assertThatThrownBy(() -> session.run(sql)).as(sql).isInstanceOf(SandboxException.class).hasMessageContaining(reason);
    }

    private static String literal(Path p) {
        return "'" + p.toString().replace("'", "''") + "'";
    }

    @Test
    void readsTheAllowedFileThroughTheView() {
        SandboxResult result = session.run("SELECT event_id, page FROM lake ORDER BY event_id");
        assertThat(result.rows()).containsExactly(List.of("a1", "/a"), List.of("a2", "/a"));
        assertThat(session.run("SELECT count(*) FROM read_parquet([" + literal(fileOfA) + "])").rows()).containsExactly(List.of(2L));
    }

    @Test
    void cannotReadSystemFiles() {
        assertRefused("SELECT * FROM read_csv('/etc/passwd')", REFUSED_ACCESS);
        assertRefused("SELECT * FROM read_text('/etc/passwd')", REFUSED_ACCESS);
        assertRefused("SELECT * FROM read_blob('/etc/passwd')", REFUSED_ACCESS);
        assertRefused("SELECT * FROM read_parquet('/etc/passwd')", REFUSED_ACCESS);
        // With external access off DuckDB does not even try the file as a replacement scan.
        assertRefused("SELECT * FROM '/etc/passwd'", "does not exist");
        assertRefused("SELECT * FROM glob('/etc/*')", REFUSED_ACCESS);
    }

    @Test
    void cannotReadAnotherTenantsFile() {
        assertRefused("SELECT * FROM read_parquet(" + literal(fileOfB) + ")", REFUSED_ACCESS);
        assertRefused("SELECT * FROM read_parquet([" + literal(fileOfA) + ", " + literal(fileOfB) + "])", REFUSED_ACCESS);
    }

    @Test
    void cannotReadASiblingWhoseNameOnlyStartsLikeTheAllowedFile() {
        assertRefused("SELECT * FROM read_parquet(" + literal(siblingWithSamePrefix) + ")", REFUSED_ACCESS);
        assertRefused("SELECT * FROM read_parquet(" + literal(backupNextToIt) + ")", REFUSED_ACCESS);
        assertRefused("SELECT * FROM read_parquet(" + literal(fileOfA.getParent()) + " || '/*.parquet*')", REFUSED_ACCESS);
        Path escape = fileOfA.getParent().resolve("..").resolve("..").resolve(siblingWithSamePrefix.getParent().getParent().getFileName())
                .resolve("data").resolve(fileOfA.getFileName());
        assertRefused("SELECT * FROM read_parquet(" + literal(escape) + ")", REFUSED_ACCESS);
    }

    @Test
    void cannotWriteAnythingOutsideItsOwnTempFolder() {
        Path target = scratch.resolve("stolen.csv");
        assertRefused("COPY lake TO " + literal(target), REFUSED_ACCESS);
        assertRefused("COPY lake TO '/tmp/pulse-stolen.parquet' (FORMAT parquet)", REFUSED_ACCESS);
        assertRefused("COPY lake TO " + literal(fileOfA.resolveSibling("planted.parquet")) + " (FORMAT parquet)", REFUSED_ACCESS);
        assertRefused("EXPORT DATABASE " + literal(scratch.resolve("export")), REFUSED_ACCESS);
        assertThat(target).doesNotExist();
        assertThat(Path.of("/tmp/pulse-stolen.parquet")).doesNotExist();
        assertThat(fileOfA.resolveSibling("planted.parquet")).doesNotExist();
        assertThat(scratch.resolve("export")).doesNotExist();
    }

    @Test
    void writesIntoTheSessionsTempFolderDisappearWithTheSession() {
        // DuckDB 2.0 keeps its temp_directory writable after enable_external_access=false (it must
        // spill there), so a COPY into it succeeds; the folder is per session and deleted at close.
        SandboxSession other = sandbox.open(List.of(fileOfA));
        Path written = other.tempDirectory().resolve("x.parquet");
        other.run("COPY (SELECT 1 AS x) TO " + literal(written) + " (FORMAT parquet)");
        other.close();
        assertThat(written).doesNotExist();
        assertThat(written.getParent()).doesNotExist();
    }

    @Test
    void cannotChangeAnySetting() {
        assertRefused("SET enable_external_access=true", LOCKED);
        assertRefused("RESET lock_configuration", LOCKED);
        assertRefused("SET lock_configuration=false", LOCKED);
        assertRefused("SET allowed_paths=['/etc/passwd']", LOCKED);
        assertRefused("SET allowed_directories=['/']", LOCKED);
        assertRefused("SET temp_directory='/tmp'", LOCKED);
        assertRefused("SET memory_limit='100GB'", LOCKED);
        assertRefused("SET threads=64", LOCKED);
        assertRefused("SET autoload_known_extensions=true", LOCKED);
        assertRefused("SELECT * FROM read_csv('/etc/passwd')", REFUSED_ACCESS);
        assertThat(session.run("SELECT current_setting('enable_external_access'), current_setting('lock_configuration')").rows())
                .containsExactly(List.of(false, true));
    }

    @Test
    void cannotInstallOrLoadExtensions() {
        assertThatThrownBy(() -> session.run("INSTALL httpfs")).isInstanceOf(SandboxException.class);
        assertThatThrownBy(() -> session.run("FORCE INSTALL httpfs")).isInstanceOf(SandboxException.class);
        assertRefused("LOAD httpfs", "disabled");
        assertRefused("LOAD " + literal(scratch.resolve("evil.duckdb_extension")), "disabled");
    }

    @Test
    void cannotAttachADatabaseFile() {
        Path db = scratch.resolve("attached.duckdb");
        assertRefused("ATTACH " + literal(db) + " AS other", REFUSED_ACCESS);
        assertRefused("ATTACH " + literal(fileOfB) + " AS other", REFUSED_ACCESS);
        assertThat(db).doesNotExist();
    }

    @Test
    void aSlowQueryIsCancelledAtTheTimeout() {
        try (DuckDbSandbox quick = new DuckDbSandbox(new SandboxLimits(1, "256MB", Duration.ofMillis(300), 1000, scratch.resolve("quick"), 1));
                SandboxSession s = quick.open(List.of(fileOfA))) {
            assertThatThrownBy(() -> s.run("SELECT count(*) FROM range(100000000000) a WHERE hash(a.range) % 7 = 3"))
                    .isInstanceOf(QueryTimeoutException.class);
        }
    }

    @Test
    void aResultLargerThanTheRowLimitIsRefused() {
        try (DuckDbSandbox small = new DuckDbSandbox(new SandboxLimits(1, "256MB", Duration.ofSeconds(20), 3, scratch.resolve("small"), 1));
                SandboxSession s = small.open(List.of(fileOfA))) {
            assertThat(s.run("SELECT * FROM range(3)").rows()).hasSize(3);
            assertThatThrownBy(() -> s.run("SELECT * FROM range(4)")).isInstanceOf(ResultTooLargeException.class);
        }
    }

    @Test
    void closingASessionDeletesItsTempFolder() {
        SandboxSession other = sandbox.open(List.of(fileOfA));
        Path temp = other.tempDirectory();
        assertThat(temp).isDirectory();
        other.close();
        assertThat(temp).doesNotExist();
    }

    @Test
    void refusesToOpenOnRelativeOrUnnormalisedPaths() {
        assertThatThrownBy(() -> sandbox.open(List.of(Path.of("relative.parquet")))).isInstanceOf(SandboxException.class);
        assertThatThrownBy(() -> sandbox.open(List.of(fileOfA.getParent().resolve("..").resolve("x.parquet")))).isInstanceOf(SandboxException.class);
    }
}
