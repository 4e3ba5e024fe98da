package io.nebula.worker.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The targets of issue 8, checked against a report's medians: each goal is met, not met, or not
 * measured (its scenario did not run). These are benchmark targets printed for the reader, never
 * assertions.
 */
final class Goals {
    /** One goal's verdict; {@code measured} is empty when it was not measured. */
    record Verdict(String goal, String target, String measured, String verdict) {}

    private Goals() {}

    static List<Verdict> check(List<ScenarioResult> results) {
        List<Verdict> out = new ArrayList<>();
        double drain = best(results, "drain", r -> r.store().equals("postgres"), "executions_per_second");
        out.add(atLeast("single-node no-op drain on PostgreSQL (best variant)", drain, 25_000, "executions/s"));
        double dag = best(results, "dag", r -> r.store().equals("postgres"), "executions_per_second");
        out.add(atLeast("5-node DAG drain on PostgreSQL (best variant)", dag, 4_000, "executions/s"));
        double p50 = best(results, "latency", r -> r.variant().equals("push"), "p50_ms");
        out.add(atMost("submit to start, push mode, p50", p50, 2, "ms"));
        double p99 = best(results, "latency", r -> r.variant().equals("push"), "p99_ms");
        out.add(atMost("submit to start, push mode, p99", p99, 10, "ms"));
        double rss = best(results, "memory", r -> true, "peak_rss_mb");
        out.add(atMost("peak RSS of one worker process under load", rss, 256, "MB"));
        double ready = best(results, "memory", r -> true, "start_to_ready_ms");
        out.add(atMost("start to ready", ready, 2_000, "ms"));
        double one =
                best(results, "scaling", r -> r.parameters().get("processes").equals(1), "executions_per_second");
        double two =
                best(results, "scaling", r -> r.parameters().get("processes").equals(2), "executions_per_second");
        String measured = Double.isNaN(one) || Double.isNaN(two)
                ? ""
                : String.format(Locale.ROOT, "%.0f -> %.0f executions/s", one, two);
        String verdict = measured.isEmpty() ? "not measured" : two > one * 1.05 ? "met" : "not met";
        out.add(new Verdict("throughput grows from 1 to 2 worker processes", "2 > 1", measured, verdict));
        return out;
    }

    /** The best median of a figure among matching results (highest rate, lowest time). */
    private static double best(
            List<ScenarioResult> results, String scenario, Predicate<ScenarioResult> filter, String figure) {
        boolean higherIsBetter = figure.endsWith("_per_second");
        double best = Double.NaN;
        for (ScenarioResult r : results) {
            if (r.scenario().equals(scenario) && filter.test(r)) {
                double v = r.median(figure);
                if (!Double.isNaN(v) && (Double.isNaN(best) || (higherIsBetter ? v > best : v < best))) {
                    best = v;
                }
            }
        }
        return best;
    }

    private static Verdict atLeast(String goal, double value, double target, String unit) {
        return verdict(goal, ">= " + Report.number(target) + " " + unit, value, unit, value >= target);
    }

    private static Verdict atMost(String goal, double value, double target, String unit) {
        return verdict(goal, "<= " + Report.number(target) + " " + unit, value, unit, value <= target);
    }

    private static Verdict verdict(String goal, String target, double value, String unit, boolean met) {
        if (Double.isNaN(value)) {
            return new Verdict(goal, target, "", "not measured");
        }
        return new Verdict(goal, target, Report.number(value) + " " + unit, met ? "met" : "not met");
    }
}
