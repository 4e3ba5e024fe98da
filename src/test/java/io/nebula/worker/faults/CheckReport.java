package io.nebula.worker.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checker's verdict: one {@link Verdict} per invariant, valid or not, with counts and a few
 * examples of each kind of violation so a failure can be traced back to rows and log lines.
 */
public record CheckReport(List<Verdict> verdicts) {
    /** How many examples each invariant keeps. */
    static final int EXAMPLES = 5;

    /**
     * @param counts what was observed (totals) and, for violations, how often each kind occurred
     * @param violations the count names that are violations (all zero when valid)
     */
    public record Verdict(
            int number, String name, Map<String, Long> counts, List<String> violations, List<String> examples) {
        public boolean valid() {
            return violations.stream().allMatch(v -> counts.getOrDefault(v, 0L) == 0);
        }

        public long count(String key) {
            return counts.getOrDefault(key, 0L);
        }
    }

    public Verdict verdict(int number) {
        return verdicts.stream().filter(v -> v.number() == number).findFirst().orElseThrow();
    }

    public boolean allValid() {
        return verdicts.stream().allMatch(Verdict::valid);
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        for (Verdict v : verdicts) {
            out.append(String.format("%d. %-58s %s%n", v.number(), v.name(), v.valid() ? "VALID" : "INVALID"));
            StringBuilder counts = new StringBuilder();
            v.counts().forEach((k, n) -> {
                boolean bad = v.violations().contains(k);
                if (!bad || n > 0) {
                    counts.append(counts.isEmpty() ? "" : ", ")
                            .append(k)
                            .append('=')
                            .append(n)
                            .append(bad ? " (!)" : "");
                }
            });
            out.append("     ").append(counts).append('\n');
            for (String e : v.examples()) {
                out.append("     e.g. ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    /** Collects one invariant's counts, violations and examples. */
    static final class Tally {
        private final int number;
        private final String name;
        private final Map<String, Long> counts = new LinkedHashMap<>();
        private final List<String> violations = new ArrayList<>();
        private final List<String> examples = new ArrayList<>();

        Tally(int number, String name, String... violationKinds) {
            this.number = number;
            this.name = name;
            for (String v : violationKinds) {
                violations.add(v);
                counts.put(v, 0L);
            }
        }

        void add(String key, long n) {
            counts.merge(key, n, Long::sum);
        }

        void count(String key) {
            add(key, 1);
        }

        void set(String key, long n) {
            counts.put(key, n);
        }

        /** Counts a violation of kind {@code kind} (declared in the constructor) with an example. */
        void violation(String kind, String example) {
            if (!violations.contains(kind)) {
                throw new IllegalArgumentException("undeclared violation kind " + kind);
            }
            count(kind);
            if (examples.size() < EXAMPLES) {
                examples.add(kind + ": " + example);
            }
        }

        /** Notes an example that is not a violation (explanations, for instance). */
        void note(String example) {
            if (examples.size() < EXAMPLES) {
                examples.add(example);
            }
        }

        Verdict verdict() {
            return new Verdict(
                    number,
                    name,
                    Collections.unmodifiableMap(new LinkedHashMap<>(counts)),
                    List.copyOf(violations),
                    List.copyOf(examples));
        }
    }
}
