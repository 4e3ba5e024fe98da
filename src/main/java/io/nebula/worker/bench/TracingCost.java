package io.nebula.worker.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What tracing costs the tracing scenario's drains: each traced variant's rate over the rate of
 * the same variant untraced, run by run. The scenario runs the untraced and then the traced drain
 * in every repeat, so run {@code i} of one is paired with run {@code i} of the other, measured
 * within seconds of each other; the median of those pairs moves less with the machine's hour than
 * a ratio of the two medians would.
 */
final class TracingCost {
    /** The figure added to each traced result: its rate over the untraced rate, per repeat. */
    static final String ON_OVER_OFF = "on_over_off";

    private static final String RATE = "executions_per_second";

    private TracingCost() {}

    /**
     * The results with {@link #ON_OVER_OFF} added to every traced one whose untraced partner (same
     * store, workflow, concurrency and batch size) has as many runs; the rest as they were. When
     * either left a run out (it did not finish), the runs no longer pair by repeat, and no ratio is
     * given.
     */
    static List<ScenarioResult> withOnOverOff(List<ScenarioResult> results) {
        List<ScenarioResult> out = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            ScenarioResult r = results.get(i);
            ScenarioResult off = traced(r) ? partner(results, i) : null;
            Spread on = r.figures().get(RATE);
            Spread base = off == null ? null : off.figures().get(RATE);
            if (on == null || base == null || on.runs().size() != base.runs().size() || leftOut(r) || leftOut(off)) {
                out.add(r);
                continue;
            }
            List<Double> ratios = new ArrayList<>();
            for (int run = 0; run < on.runs().size(); run++) {
                double b = base.runs().get(run);
                ratios.add(b > 0 ? on.runs().get(run) / b : Double.NaN);
            }
            if (ratios.stream().anyMatch(d -> d.isNaN())) {
                out.add(r);
                continue;
            }
            Map<String, Spread> figures = new LinkedHashMap<>(r.figures());
            figures.put(ON_OVER_OFF, Spread.of(ratios));
            out.add(new ScenarioResult(
                    r.scenario(), r.variant(), r.store(), r.parameters(), figures, r.details(), r.notes()));
        }
        return out;
    }

    /**
     * The traced result of {@code workflow} with the lowest {@link #ON_OVER_OFF} median over every
     * store and variant measured, or {@code null} when none has it.
     */
    static ScenarioResult costliest(List<ScenarioResult> results, String workflow) {
        ScenarioResult worst = null;
        for (ScenarioResult r : results) {
            if (traced(r)
                    && workflow.equals(r.parameters().get("workflow"))
                    && r.figures().containsKey(ON_OVER_OFF)) {
                if (worst == null || r.median(ON_OVER_OFF) < worst.median(ON_OVER_OFF)) {
                    worst = r;
                }
            }
        }
        return worst;
    }

    private static boolean leftOut(ScenarioResult r) {
        return r.notes().stream().anyMatch(n -> n.endsWith(DrainScenario.LEFT_OUT));
    }

    private static boolean traced(ScenarioResult r) {
        return r.scenario().equals(Scenario.TRACING.label())
                && Boolean.TRUE.equals(r.parameters().get("tracing"));
    }

    /**
     * The untraced result nearest before the traced one at {@code index} with the same store,
     * workflow, concurrency and batch size: results come per database in the order they ran, so
     * with two databases of one kind each traced result still meets its own database's partner.
     */
    private static ScenarioResult partner(List<ScenarioResult> results, int index) {
        ScenarioResult on = results.get(index);
        for (int i = index - 1; i >= 0; i--) {
            ScenarioResult r = results.get(i);
            if (r.scenario().equals(on.scenario())
                    && r.store().equals(on.store())
                    && Boolean.FALSE.equals(r.parameters().get("tracing"))
                    && same(r, on, "workflow")
                    && same(r, on, "concurrency")
                    && same(r, on, "batch_size")) {
                return r;
            }
        }
        return null;
    }

    private static boolean same(ScenarioResult a, ScenarioResult b, String parameter) {
        return Objects.equals(a.parameters().get(parameter), b.parameters().get(parameter));
    }
}
