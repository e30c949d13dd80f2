package dev.pulse.control.lifecycle.export;

/** Where a long job reports how far it is (the CLI draws its progress bar from it): data files done of total. */
@FunctionalInterface
public interface ExportProgress {
    ExportProgress NONE = (done, total) -> {
    };

    void update(long done, long total);
}
