package dev.pulse.cli.doctor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every check that ran, in order, with its findings (none means it passed). */
public final class DoctorReport {
    private final Map<String, List<Finding>> checks = new LinkedHashMap<>();

    /** Registers a check; findings added to it later belong to it. */
    void check(String name) {
        checks.putIfAbsent(name, new ArrayList<>());
    }

    void find(String check, String object, String problem, String fix) {
        checks.computeIfAbsent(check, k -> new ArrayList<>()).add(new Finding(check, object, problem, fix));
    }

    public Map<String, List<Finding>> checks() {
        return checks;
    }

    public List<Finding> findings() {
        return checks.values().stream().flatMap(List::stream).toList();
    }

    public boolean passed() {
        return findings().isEmpty();
    }
}
