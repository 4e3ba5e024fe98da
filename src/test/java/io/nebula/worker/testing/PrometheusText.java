package io.nebula.worker.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it rejects
 * malformed lines, samples without a preceding TYPE, samples whose name does not belong to their
 * family's type (counter: _total/_created; histogram: _bucket/_count/_sum/_created), unescaped
 * label values, and histograms whose buckets are not cumulative or lack +Inf.
 */
public final class PrometheusText {
    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** A metric family: its TYPE, HELP and samples. */
    public record Family(String name, String type, String help, List<Sample> samples) {
        /** The value of the single sample with this name and these labels. */
        public Optional<Double> value(String sampleName, Map<String, String> labels) {
            return samples.stream()
                    .filter(s -> s.name().equals(sampleName) && s.labels().equals(labels))
                    .map(Sample::value)
                    .findFirst();
        }
    }

    private PrometheusText() {}

    public static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new HashMap<>();
        Family current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                help.put(p[0], p.length > 1 ? p[1] : "");
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                if (p.length != 2
                        || !List.of(
                                        "counter",
                                        "gauge",
                                        "histogram",
                                        "summary",
                                        "untyped",
                                        "info",
                                        "stateset",
                                        "unknown")
                                .contains(p[1])) {
                    throw new IllegalArgumentException("line " + lineNo + ": bad TYPE: " + line);
                }
                if (families.containsKey(p[0])) {
                    throw new IllegalArgumentException("line " + lineNo + ": family declared twice: " + p[0]);
                }
                current = new Family(p[0], p[1], help.getOrDefault(p[0], null), new ArrayList<>());
                families.put(p[0], current);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Sample s = sample(line, lineNo);
            if (current == null || !belongs(s.name(), current)) {
                throw new IllegalArgumentException("line " + lineNo + ": sample " + s.name() + " outside its family");
            }
            current.samples().add(s);
        }
        for (Family f : families.values()) {
            if (f.type().equals("histogram")) {
                checkHistogram(f);
            }
        }
        return families;
    }

    private static boolean belongs(String sample, Family f) {
        String base = f.name();
        return switch (f.type()) {
            case "counter" -> sample.equals(base + "_total") || sample.equals(base + "_created") || sample.equals(base);
            case "histogram" ->
                sample.equals(base + "_bucket")
                        || sample.equals(base + "_count")
                        || sample.equals(base + "_sum")
                        || sample.equals(base + "_created");
            case "summary" ->
                sample.equals(base)
                        || sample.equals(base + "_count")
                        || sample.equals(base + "_sum")
                        || sample.equals(base + "_created");
            case "info" -> sample.equals(base + "_info") || sample.equals(base);
            default -> sample.equals(base);
        };
    }

    private static Sample sample(String line, int lineNo) {
        int i = 0;
        while (i < line.length()
                && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_' || line.charAt(i) == ':')) {
            i++;
        }
        if (i == 0 || Character.isDigit(line.charAt(0))) {
            throw new IllegalArgumentException("line " + lineNo + ": bad metric name: " + line);
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq);
                if (!key.matches("[a-zA-Z_][a-zA-Z0-9_]*") || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("line " + lineNo + ": bad label: " + line);
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char n = line.charAt(j + 1);
                        v.append(n == 'n' ? '\n' : n);
                        j += 2;
                    } else {
                        v.append(c);
                        j++;
                    }
                }
                labels.put(key, v.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("line " + lineNo + ": missing value: " + line);
        }
        String[] rest = line.substring(i + 1).split(" ");
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        return new Sample(name, labels, value);
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> bySeries = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            if (s.name().endsWith("_bucket")) {
                Map<String, String> series = new LinkedHashMap<>(s.labels());
                series.remove("le");
                bySeries.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
            }
        }
        for (Map.Entry<Map<String, String>, List<Sample>> e : bySeries.entrySet()) {
            double prev = -1;
            boolean inf = false;
            for (Sample b : e.getValue()) {
                if (b.value() < prev) {
                    throw new IllegalArgumentException(f.name() + ": buckets not cumulative");
                }
                prev = b.value();
                inf |= "+Inf".equals(b.labels().get("le"));
            }
            if (!inf) {
                throw new IllegalArgumentException(f.name() + ": no +Inf bucket");
            }
        }
    }
}
