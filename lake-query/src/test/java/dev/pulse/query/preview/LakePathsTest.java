package dev.pulse.query.preview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LakePathsTest {
    private static final Path WAREHOUSE = Path.of("/x/warehouse");
    private static final Path TABLE = Path.of("/x/warehouse/ns/tbl");

    @Test
    void acceptsATableFolderInsideItsNamespaceWithOrWithoutAFileScheme() {
        assertThat(LakePaths.tableFolder(WAREHOUSE, "ns", "/x/warehouse/ns/tbl")).isEqualTo(TABLE);
        assertThat(LakePaths.tableFolder(WAREHOUSE, "ns", "file:/x/warehouse/ns/tbl")).isEqualTo(TABLE);
        assertThat(LakePaths.tableFolder(WAREHOUSE, "ns", "file:///x/warehouse/ns/tbl")).isEqualTo(TABLE);
    }

    @Test
    void refusesATableFolderInAnotherNamespaceOrASiblingWithTheSamePrefix() {
        assertThatThrownBy(() -> LakePaths.tableFolder(WAREHOUSE, "ns", "/x/warehouse/other/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.tableFolder(WAREHOUSE, "ns", "/x/warehouse/ns_evil/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.tableFolder(WAREHOUSE, "ns", "/x/warehouse/ns")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.tableFolder(WAREHOUSE, "ns", "/x/warehouse/ns/../other/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.tableFolder(WAREHOUSE, "../x", "/x/warehouse/ns/tbl")).isInstanceOf(IsolationViolationException.class);
    }

    @Test
    void acceptsOnlyDataFilesStrictlyInsideTheTableFolder() {
        assertThat(LakePaths.dataFile(TABLE, "/x/warehouse/ns/tbl/data/f.parquet")).isEqualTo(Path.of("/x/warehouse/ns/tbl/data/f.parquet"));
        assertThatThrownBy(() -> LakePaths.dataFile(TABLE, "/x/warehouse/ns/tbl_evil/data/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.dataFile(TABLE, "/x/warehouse/ns/tbl/data/../../tbl_evil/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.dataFile(TABLE, "/x/warehouse/ns/tbl")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.dataFile(TABLE, "/etc/passwd")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.dataFile(TABLE, "data/f.parquet")).isInstanceOf(IsolationViolationException.class);
    }

    @Test
    void refusesLocationsThatAreNotOnTheLocalFileSystem() {
        assertThatThrownBy(() -> LakePaths.dataFile(TABLE, "s3://bucket/x/warehouse/ns/tbl/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.dataFile(TABLE, "file://otherhost/x/warehouse/ns/tbl/f.parquet")).isInstanceOf(IsolationViolationException.class);
        assertThatThrownBy(() -> LakePaths.dataFile(TABLE, "")).isInstanceOf(IsolationViolationException.class);
    }
}
