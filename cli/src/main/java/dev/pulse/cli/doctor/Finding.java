package dev.pulse.cli.doctor;

/** One thing wrong: which check found it, on which object, what is wrong and how to fix it. */
public record Finding(String check, String object, String problem, String fix) {
    @Override
    public String toString() {
        return object + ": " + problem + (fix == null || fix.isEmpty() ? "" : " (fix: " + fix + ")");
    }
}
