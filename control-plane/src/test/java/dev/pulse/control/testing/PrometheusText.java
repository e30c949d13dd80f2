package dev.pulse.control.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for the metrics tests: every
 * line is a {@code # HELP}, a {@code # TYPE}, another comment, or a sample
 * {@code name{label="value",...} value [timestamp]} with valid names, escapes and numbers; a
 * metric's {@code TYPE} comes once and before its samples; the samples of one family are
 * contiguous; no series appears twice; a histogram's buckets carry {@code le}, rise with it and
 * end at {@code +Inf} equal to its {@code _count}. Anything else throws {@link IllegalArgumentException}
 * naming the line.
 */
public final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|NaN|[+-]Inf");

    /** One sample: its name, labels (in order) and value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = List.copyOf(samples);
        this.types = Map.copyOf(types);
    }

    /** Parses {@code text}, or throws naming the first line that breaks the format. */
    public static PrometheusText parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> closedFamilies = new HashSet<>();
        Set<String> series = new HashSet<>();
        String currentFamily = null;
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (line.startsWith("#")) {
                    Matcher help = HELP.matcher(line);
                    Matcher type = TYPE.matcher(line);
                    if (line.startsWith("# HELP ")) {
                        require(help.matches(), "malformed HELP");
                        require(helped.add(help.group(1)), "second HELP for " + help.group(1));
                    } else if (line.startsWith("# TYPE ")) {
                        require(type.matches(), "malformed TYPE");
                        String family = type.group(1);
                        require(!types.containsKey(family), "second TYPE for " + family);
                        require(!closedFamilies.contains(family) && !family.equals(currentFamily), "TYPE for " + family + " after its samples");
                        types.put(family, type.group(2));
                    }
                    continue;
                }
                Sample sample;
                try {
                    sample = sample(line);
                } catch (IndexOutOfBoundsException e) {
                    throw new IllegalArgumentException("the line ends inside its labels", e);
                }
                String family = familyOf(sample.name(), types);
                if (!family.equals(currentFamily)) {
                    require(!closedFamilies.contains(family), "samples of " + family + " are not contiguous");
                    if (currentFamily != null) {
                        closedFamilies.add(currentFamily);
                    }
                    currentFamily = family;
                }
                require(series.add(sample.name() + sample.labels()), "duplicate series " + sample.name() + sample.labels());
                if ("histogram".equals(types.get(family)) && sample.name().equals(family + "_bucket")) {
                    require(sample.labels().containsKey("le"), "histogram bucket without le");
                }
                samples.add(sample);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + " '" + line + "': " + e.getMessage(), e);
            }
        }
        PrometheusText parsed = new PrometheusText(samples, types);
        parsed.checkHistograms();
        return parsed;
    }

    private static Sample sample(String line) {
        Matcher name = NAME.matcher(line);
        require(name.lookingAt(), "no metric name");
        int i = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                Matcher label = LABEL_NAME.matcher(line).region(i, line.length());
                require(label.lookingAt(), "bad label name at column " + i);
                String labelName = label.group();
                i = label.end();
                require(line.startsWith("=\"", i), "label " + labelName + " without =\"");
                i += 2;
                StringBuilder value = new StringBuilder();
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i);
                    if (c == '\\') {
                        char next = line.charAt(i + 1);
                        require(next == '\\' || next == '"' || next == 'n', "bad escape \\" + next);
                        value.append(next == 'n' ? '\n' : next);
                        i += 2;
                    } else {
                        value.append(c);
                        i++;
                    }
                }
                i++;
                require(labels.put(labelName, value.toString()) == null, "label " + labelName + " twice");
                if (line.charAt(i) == ',') {
                    i++;
                } else {
                    require(line.charAt(i) == '}', "expected , or } after label " + labelName);
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', "no space before the value");
        String[] rest = line.substring(i + 1).split(" ", -1);
        require(rest.length == 1 || rest.length == 2, "expected a value and at most a timestamp");
        require(NUMBER.matcher(rest[0]).matches(), "bad value '" + rest[0] + "'");
        if (rest.length == 2) {
            require(rest[1].matches("-?\\d+"), "bad timestamp '" + rest[1] + "'");
        }
        return new Sample(line.substring(0, name.end()), labels, Double.parseDouble(rest[0].replace("Inf", "Infinity")));
    }

    private static String familyOf(String name, Map<String, String> types) {
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String type = types.get(base);
                if ("histogram".equals(type) || "summary".equals(type)) {
                    return base;
                }
            }
        }
        return name;
    }

    /** Each histogram series: buckets non-decreasing in le and count, the last +Inf, equal to _count. */
    private void checkHistograms() {
        types.forEach((family, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            Map<Map<String, String>, List<Sample>> bySeries = new LinkedHashMap<>();
            for (Sample s : samples) {
                if (s.name().equals(family + "_bucket")) {
                    Map<String, String> rest = new LinkedHashMap<>(s.labels());
                    rest.remove("le");
                    bySeries.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
                }
            }
            bySeries.forEach((labels, buckets) -> {
                double le = Double.NEGATIVE_INFINITY;
                double count = 0;
                for (Sample b : buckets) {
                    double bound = Double.parseDouble(b.labels().get("le").replace("Inf", "Infinity"));
                    require(bound > le, family + labels + ": buckets not in rising le");
                    require(b.value() >= count, family + labels + ": bucket counts fall");
                    le = bound;
                    count = b.value();
                }
                require(le == Double.POSITIVE_INFINITY, family + labels + ": no +Inf bucket");
                double total = value(family + "_count", labels).orElseThrow(() -> new IllegalArgumentException(family + labels + ": no _count"));
                require(total == count, family + labels + ": +Inf bucket " + count + " is not _count " + total);
            });
        });
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The declared type of each family. */
    public Map<String, String> types() {
        return types;
    }

    /** The samples named {@code name} whose labels include every one of {@code labels}. */
    public List<Sample> samples(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    /** The one sample named {@code name} with exactly {@code labels} plus any of the others, if there is exactly one. */
    public java.util.Optional<Double> value(String name, Map<String, String> labels) {
        List<Sample> matching = samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())
                && labels.keySet().containsAll(withoutCommon(s.labels()).keySet())).toList();
        return matching.size() == 1 ? java.util.Optional.of(matching.getFirst().value()) : java.util.Optional.empty();
    }

    /** The sum of the samples named {@code name} whose labels include {@code labels}; 0 when none. */
    public double sum(String name, Map<String, String> labels) {
        return samples(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    /** The values of label {@code label} among the samples named {@code name}. */
    public Set<String> labelValues(String name, String label) {
        Set<String> values = new HashSet<>();
        samples.stream().filter(s -> s.name().equals(name) && s.labels().containsKey(label)).forEach(s -> values.add(s.labels().get(label)));
        return values;
    }

    private static Map<String, String> withoutCommon(Map<String, String> labels) {
        Map<String, String> rest = new LinkedHashMap<>(labels);
        rest.remove("service");
        return rest;
    }
}
