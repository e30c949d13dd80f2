package dev.pulse.query.preview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LakePathsTest {
    private static final LakePaths LOCAL = LakePaths.of("/x/warehouse");
    private static final Path TABLE = Path.of("/x/warehouse/ns/tbl");
    private static final LakePaths BUCKET = LakePaths.of("s3://bucket/warehouse");
    private static final Path OBJECT_TABLE = Path.of("/bucket/warehouse/ns/tbl");

    @Test
    void acceptsATableFolderInsideItsNamespaceWithOrWithoutAFileScheme() {
        assertThat(LOCAL.tableFolder("ns", "/x/warehouse/ns/tbl")).isEqualTo(TABLE);
        assertThat(LOCAL.tableFolder("ns", "file:/x/warehouse/ns/tbl")).isEqualTo(TABLE);
        assertThat(LOCAL.tableFolder("ns", "file:///x/warehouse/ns/tbl")).isEqualTo(TABLE);
    }

    @Test
    void refusesATableFolderInAnotherNamespaceOrASiblingWithTheSamePrefix() {
        assertThatThrownBy(() -> LOCAL.tableFolder("ns", "/x/warehouse/other/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.tableFolder("ns", "/x/warehouse/ns_evil/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.tableFolder("ns", "/x/warehouse/ns")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.tableFolder("ns", "/x/warehouse/ns/../other/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.tableFolder("../x", "/x/warehouse/ns/tbl")).isInstanceOf(IsolationViolationException.class);
    }

    @Test
    void acceptsOnlyDataFilesStrictlyInsideTheTableFolder() {
        assertThat(LOCAL.dataFile(TABLE, "/x/warehouse/ns/tbl/data/f.parquet")).isEqualTo(Path.of("/x/warehouse/ns/tbl/data/f.parquet"));
        assertThatThrownBy(() -> LOCAL.dataFile(TABLE, "/x/warehouse/ns/tbl_evil/data/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.dataFile(TABLE, "/x/warehouse/ns/tbl/data/../../tbl_evil/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.dataFile(TABLE, "/x/warehouse/ns/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.dataFile(TABLE, "/etc/passwd")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.dataFile(TABLE, "data/f.parquet")).isInstanceOf(IsolationViolationException.class);
    }

    @Test
    void aFolderWarehouseRefusesLocationsThatAreNotOnTheLocalFileSystem() {
        assertThatThrownBy(() -> LOCAL.dataFile(TABLE, "s3://bucket/x/warehouse/ns/tbl/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.dataFile(TABLE, "file://otherhost/x/warehouse/ns/tbl/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LOCAL.dataFile(TABLE, "")).isInstanceOf(IsolationViolationException.class);
    }

    @Test
    void aBucketWarehouseChecksObjectKeysByTheSameComponents() {
        assertThat(BUCKET.tableFolder("ns", "s3://bucket/warehouse/ns/tbl")).isEqualTo(OBJECT_TABLE);
        assertThat(BUCKET.dataFile(OBJECT_TABLE, "s3://bucket/warehouse/ns/tbl/data/event_date=2026-12-03/00000-0-a1.parquet"))
                .isEqualTo(Path.of("/bucket/warehouse/ns/tbl/data/event_date=2026-12-03/00000-0-a1.parquet"));
        assertThatThrownBy(() -> BUCKET.tableFolder("ns", "s3://bucket/warehouse/ns_evil/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> BUCKET.tableFolder("ns", "s3://other-bucket/warehouse/ns/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> BUCKET.dataFile(OBJECT_TABLE, "s3://bucket/warehouse/ns/tbl/../tbl2/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> BUCKET.dataFile(OBJECT_TABLE, "s3://bucket/warehouse/ns/tbl/./f.parquet")).isInstanceOf(IsolationViolationException.class);
    }

    @Test
    void aBucketWarehouseRefusesEscapesOtherSchemesAndLocalPaths() {
        // %2F is a slash to some readers and two characters to S3: never guess which.
        assertThatThrownBy(() -> BUCKET.dataFile(OBJECT_TABLE, "s3://bucket/warehouse/ns/tbl/..%2F..%2Fother/f.parquet"))
                .isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> BUCKET.dataFile(OBJECT_TABLE, "s3a://bucket/warehouse/ns/tbl/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> BUCKET.dataFile(OBJECT_TABLE, "/bucket/warehouse/ns/tbl/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> BUCKET.dataFile(OBJECT_TABLE, "file:/bucket/warehouse/ns/tbl/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> BUCKET.dataFile(OBJECT_TABLE, "s3://bucket/warehouse/ns/tbl//f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> BUCKET.dataFile(OBJECT_TABLE, "s3://bucket/warehouse/ns/tbl/f?.parquet")).isInstanceOf(IsolationViolationException.class);
    }
}
