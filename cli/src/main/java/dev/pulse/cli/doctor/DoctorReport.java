package dev.pulse.cli.doctor;

import dev.pulse.schemas.tenancy.Finding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every rule that was checked, in order, by title, with its findings (none means it passed). */
public final class DoctorReport {
    private final Map<String, Finding.Rule> rules = new LinkedHashMap<>();
    private final Map<String, List<Finding>> checks = new LinkedHashMap<>();

    /** Registers a rule as checked; findings added to it later belong to it. */
    void check(Finding.Rule rule) {
        rules.putIfAbsent(rule.title(), rule);
        checks.putIfAbsent(rule.title(), new ArrayList<>());
    }

    void checkAll(Collection<Finding.Rule> rules) {
        rules.forEach(this::check);
    }

    void add(Finding finding) {
        check(finding.rule());
        checks.get(finding.rule().title()).add(finding);
    }

    void addAll(Collection<Finding> findings) {
        findings.forEach(this::add);
    }

    /** A finding of doctor's own (Kafka, the lake): reported, never blocking, since no service checks it at start-up. */
    void report(Finding.Rule rule, String subject, String message, String remedy) {
        add(new Finding(rule, Finding.Severity.REPORTED, subject, message, remedy));
    }

    /** The findings of every rule checked, by the rule's title. */
    public Map<String, List<Finding>> checks() {
        return checks;
    }

    public Finding.Rule rule(String title) {
        return rules.get(title);
    }

    public List<Finding> findings() {
        return checks.values().stream().flatMap(List::stream).toList();
    }

    public boolean passed() {
        return findings().isEmpty();
    }
}
