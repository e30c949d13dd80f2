package dev.pulse.query.preview;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.testing.TestStack;
import dev.pulse.query.LakeFixture.Event;
import dev.pulse.query.LakeFixture.TenantDataset;
import dev.pulse.query.LakeFixture;
import dev.pulse.query.sandbox.DuckDbSandbox;
import dev.pulse.query.sandbox.SandboxLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table written in many commits over time: the preview reads few files and still returns exactly the newest rows. */
class NewestFirstPreviewIT {
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    static TestStack stack;
    static DuckDbSandbox sandbox;
    static PreviewService previews;
    static TenantDataset ds;
    static List<Event> all = new ArrayList<>();

    @TempDir
    static Path temp;

    @BeforeAll
    static void writeManyFiles() {
        stack = TestStack.shared();
        sandbox = new DuckDbSandbox(new SandboxLimits(2, "512MB", Duration.ofSeconds(30), 100_000, temp, 2));
        previews = new PreviewService(stack.db(), stack.catalog(), stack.environment().get("PULSE_WAREHOUSE"), sandbox);
        ds = LakeFixture.tenantWithDataset(stack, "history");
        // Eight commits, one per day, twenty events each, one hour apart.
        for (int day = 0; day < 8; day++) {
            List<Event> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(Event.at("d%d-e%02d".formatted(day, i), T0.plus(Duration.ofDays(day)).plus(Duration.ofHours(i)), "/d" + day));
            }
            append(batch);
        }
        // A late batch: written last, for the newest day, with times that interleave that day's events,
        // including one that ties the newest event time exactly (event_id breaks the tie).
        Instant newestDay = T0.plus(Duration.ofDays(7));
        append(List.of(
                Event.at("late-1", newestDay.plus(Duration.ofMinutes(30 + 60 * 18)), "/late"),
                Event.at("late-2", newestDay.plus(Duration.ofHours(19)), "/late"),
                Event.at("late-3", newestDay.plus(Duration.ofMinutes(90)), "/late")));
    }

    private static void append(List<Event> events) {
        LakeFixture.append(ds.table(), events);
        all.addAll(events);
    }

    @AfterAll
    static void closeSandbox() {
        sandbox.close();
    }

    private static List<String> expectedNewest(int limit) {
        return all.stream()
                .sorted(Comparator.comparing(Event::time).thenComparing(Event::id).reversed())
                .limit(limit)
                .map(Event::id)
                .toList();
    }

    private static List<String> ids(PreviewResult result) {
        return result.rows().stream().map(r -> (String) r.get("event_id")).toList();
    }

    @Test
    void aSmallPreviewReadsOnlyTheNewestFilesAndReturnsExactlyTheNewestRows() {
        PreviewResult result = previews.preview(ds.tenant().id(), "history", 10);
        assertThat(ids(result)).containsExactlyElementsOf(expectedNewest(10));
        assertThat(ids(result).subList(0, 2)).containsExactly("late-2", "d7-e19");
        assertThat(result.filesInSnapshot()).isEqualTo(9);
        // The newest day's file and the late file overlapping it; none of the seven older days.
        assertThat(result.filesRead()).isEqualTo(2);
    }

    @Test
    void everyLimitGivesTheSameRowsAsReadingEveryFile() {
        for (int limit : List.of(1, 19, 20, 23, 24, 40, 100, 163, 500)) {
            PreviewResult pruned = previews.preview(ds.tenant().id(), "history", limit);
            PreviewResult naive = previews.previewReadingEveryFile(ds.tenant().id(), "history", limit);
            assertThat(ids(pruned)).as("limit %d", limit).containsExactlyElementsOf(expectedNewest(limit));
            assertThat(pruned.rows()).as("limit %d", limit).isEqualTo(naive.rows());
            assertThat(pruned.filesRead()).as("limit %d", limit).isLessThanOrEqualTo(naive.filesRead());
        }
        assertThat(previews.preview(ds.tenant().id(), "history", 30).filesRead()).isEqualTo(3);
    }

    @Test
    void rowsKeepTheTablesColumnOrderAndJsonReadyValues() {
        Map<String, Object> newest = previews.preview(ds.tenant().id(), "history", 1).rows().getFirst();
        assertThat(newest.keySet()).startsWith("event_id", "event_time", "received_at");
        assertThat(newest.get("event_time")).isEqualTo("2026-11-08T19:00:00Z");
        assertThat(newest.get("clicks")).isEqualTo(1L);
        assertThat(newest.get("user")).isEqualTo(Map.of("id", "u-late-2", "tags", List.of("a", "b")));
    }
}
