package io.nebula.worker.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bare-loop baseline of one benchmark run, measured between the runs it is compared with.
 * Scenarios that measure PostgreSQL call {@link #round} once per repeat, so baseline and worker
 * runs alternate on the same database in the same minutes; at the end every PostgreSQL figure is
 * given as a ratio to the baseline's median of this run. Absolute figures move threefold between
 * machines of one kind and between hours; the ratio moves far less, so it is what the report and
 * the goals lead with.
 */
final class Yardstick {
    static final String SCENARIO = "baseline";

    private final BenchOptions options;
    private final Progress progress;
    private final Map<String, FigureSet> sets = new LinkedHashMap<>();
    private final Map<String, Integer> runs = new LinkedHashMap<>();
    private boolean warmed;

    Yardstick(BenchOptions options, Progress progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Runs the baseline once on {@code target} (PostgreSQL only; a no-op for SQLite). */
    void round(BenchTarget target) throws InterruptedException {
        if (!target.postgres()) {
            return;
        }
        if (options.warmup() && !warmed) {
            warmed = true;
            // Until the JIT has little left to compile (at most three full-size rounds): the worker
            // CPU of a loop job is about a microsecond, and the JIT compiling the driver's paths
            // during the first timed runs measured several times that (5.4, 6.0, 2.8, 0.9, 0.8 µs
            // in five runs after a 20,000-job warm-up).
            for (int w = 1; w <= 3; w++) {
                progress.say("baseline warm-up %d on postgres", w);
                long jit0 = DrainScenario.jitMillis();
                try (ScratchDatabase db = ScratchDatabase.create(target)) {
                    BaselineLoop.run(db, options.executions());
                }
                if (DrainScenario.jitMillis() - jit0 < 100) {
                    break;
                }
            }
        }
        FigureSet set = sets.computeIfAbsent(target.text(), k -> new FigureSet());
        int run = runs.merge(target.text(), 1, Integer::sum);
        progress.say("baseline postgres run %d", run);
        try (ScratchDatabase db = ScratchDatabase.create(target)) {
            long jit0 = DrainScenario.jitMillis();
            BaselineLoop.Figures f = BaselineLoop.run(db, options.executions());
            set.add("jobs_per_second", f.jobsPerSecond());
            set.add("worker_cpu_us_per_job", f.workerCpuMicros());
            set.add("worker_cpu_without_jit_us_per_job", f.workerCpuWithoutJitMicros());
            set.add("jit_compile_ms", DrainScenario.jitMillis() - jit0);
            set.add("postgres_cpu_us_per_job", f.postgresCpuMicros());
        }
    }

    /** Runs the baseline on every PostgreSQL target once per repeat (the baseline on its own). */
    void runAlone() throws InterruptedException {
        for (int r = 0; r < options.repeats(); r++) {
            for (BenchTarget t : options.targets()) {
                round(t);
            }
        }
    }

    /** The baseline's own rows of the report, one per PostgreSQL target it ran on. */
    List<ScenarioResult> results() {
        List<ScenarioResult> out = new ArrayList<>();
        sets.forEach((target, set) -> {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("jobs", options.executions());
            params.put("threads", BaselineLoop.THREADS);
            params.put("claim_batch", 100);
            set.note("the bare SKIP LOCKED loop: " + BaselineLoop.THREADS
                    + " threads, claim 100 and complete the batch, one statement each");
            out.add(set.result(SCENARIO, BaselineLoop.THREADS + " threads b=100", "postgres", params));
        });
        return out;
    }

    /**
     * Adds to every PostgreSQL result measured here its ratios to the baseline median: {@code
     * baseline_ratio} (executions per second over baseline jobs per second, with the spread of
     * its runs), and {@code worker_cpu_ratio}, {@code worker_cpu_without_jit_ratio} and {@code
     * postgres_cpu_ratio} (CPU per execution over CPU per baseline job). SQLite results and
     * scenarios without a rate pass unchanged. With several PostgreSQL databases, the first one's
     * baseline is the yardstick.
     */
    List<ScenarioResult> withRatios(List<ScenarioResult> results) {
        ScenarioResult base = results().stream().findFirst().orElse(null);
        if (base == null) {
            return results;
        }
        double rate = base.median("jobs_per_second");
        double workerCpu = base.median("worker_cpu_us_per_job");
        double workerCpuWithoutJit = base.median("worker_cpu_without_jit_us_per_job");
        double pgCpu = base.median("postgres_cpu_us_per_job");
        List<ScenarioResult> out = new ArrayList<>();
        for (ScenarioResult r : results) {
            Spread eps = r.figures().get("executions_per_second");
            if (!r.store().equals("postgres") || eps == null || r.scenario().equals(SCENARIO)) {
                out.add(r);
                continue;
            }
            Map<String, Spread> figures = new LinkedHashMap<>();
            r.figures().forEach((name, s) -> {
                figures.put(name, s);
                if (name.equals("executions_per_second")) {
                    figures.put("baseline_ratio", scaled(s, rate));
                }
            });
            addRatio(figures, r, "worker_cpu_us_per_execution", "worker_cpu_ratio", workerCpu);
            addRatio(
                    figures,
                    r,
                    "worker_cpu_without_jit_us_per_execution",
                    "worker_cpu_without_jit_ratio",
                    workerCpuWithoutJit);
            addRatio(figures, r, "postgres_cpu_us_per_execution", "postgres_cpu_ratio", pgCpu);
            out.add(new ScenarioResult(
                    r.scenario(), r.variant(), r.store(), r.parameters(), figures, r.details(), r.notes()));
        }
        return out;
    }

    private static void addRatio(
            Map<String, Spread> figures, ScenarioResult r, String figure, String ratio, double baseline) {
        Spread s = r.figures().get(figure);
        if (s != null && baseline > 0) {
            figures.put(ratio, scaled(s, baseline));
        }
    }

    private static Spread scaled(Spread s, double by) {
        return Spread.of(s.runs().stream().map(v -> v / by).toList());
    }
}
