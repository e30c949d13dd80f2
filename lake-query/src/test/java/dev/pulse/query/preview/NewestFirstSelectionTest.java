package dev.pulse.query.preview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NewestFirstSelectionTest {

    private static DataFileCandidate file(String name, long rows, Long lower, Long upper) {
        Path path = Path.of("/w/ns/t/data/" + name);
        return new DataFileCandidate(path, path.toString(), 0, rows, lower, upper);
    }

    private static List<String> names(List<DataFileCandidate> files) {
        return files.stream().map(f -> f.path().getFileName().toString()).toList();
    }

    @Test
    void takesTheNewestFileAloneWhenItHoldsEnoughRowsAndNothingOverlapsIt() {
        List<DataFileCandidate> files = List.of(
                file("old", 100, 0L, 99L),
                file("mid", 100, 100L, 199L),
                file("new", 100, 200L, 299L));
        assertThat(names(NewestFirstSelection.select(files, 100))).containsExactly("new");
    }

    @Test
    void takesFilesNewestFirstUntilTheirRowsCoverTheLimit() {
        List<DataFileCandidate> files = List.of(
                file("old", 10, 0L, 99L),
                file("mid", 10, 100L, 199L),
                file("new", 10, 200L, 299L));
        assertThat(names(NewestFirstSelection.select(files, 15))).containsExactly("new", "mid");
        assertThat(names(NewestFirstSelection.select(files, 1000))).containsExactly("new", "mid", "old");
    }

    @Test
    void addsAnOlderFileThatOverlapsTheTakenFilesRange() {
        // "late" was written later but holds events whose times reach into the newest file's range.
        List<DataFileCandidate> files = List.of(
                file("old", 100, 0L, 99L),
                file("new", 100, 200L, 299L),
                file("late", 5, 50L, 250L));
        assertThat(names(NewestFirstSelection.select(files, 100))).containsExactly("new", "late");
    }

    @Test
    void aWideFileTakenFirstPullsInEveryFileItsLowerBoundReaches() {
        List<DataFileCandidate> files = List.of(
                file("wide", 100, 0L, 300L),
                file("a", 100, 100L, 199L),
                file("b", 100, 200L, 299L));
        assertThat(names(NewestFirstSelection.select(files, 10))).containsExactlyInAnyOrder("wide", "a", "b");
    }

    @Test
    void includesAFileWhoseUpperBoundTiesTheFloor() {
        List<DataFileCandidate> files = List.of(
                file("new", 100, 200L, 299L),
                file("touching", 1, 100L, 200L),
                file("older", 1, 100L, 199L));
        assertThat(names(NewestFirstSelection.select(files, 100))).containsExactly("new", "touching");
    }

    @Test
    void filesWithTheSameUpperBoundAreAllKeptWhenTheyTie() {
        List<DataFileCandidate> files = List.of(
                file("x", 100, 500L, 500L),
                file("y", 100, 500L, 500L),
                file("z", 100, 100L, 499L));
        assertThat(names(NewestFirstSelection.select(files, 50))).containsExactlyInAnyOrder("x", "y");
    }

    @Test
    void alwaysReadsFilesWithoutBounds() {
        List<DataFileCandidate> files = List.of(
                file("old", 100, 0L, 99L),
                file("new", 100, 200L, 299L),
                file("nobounds", 3, null, null),
                file("halfbounds", 3, 10L, null));
        assertThat(names(NewestFirstSelection.select(files, 10))).containsExactlyInAnyOrder("new", "nobounds", "halfbounds");
    }

    @Test
    void anEmptySnapshotSelectsNothing() {
        assertThat(NewestFirstSelection.select(List.of(), 100)).isEmpty();
    }

    @Test
    void aLimitBelowOneIsABug() {
        assertThatThrownBy(() -> NewestFirstSelection.select(List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
