package io.nebula.worker.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scaling: the same backlog drained by 1, 2, 4... worker processes on one PostgreSQL database,
 * each process with the same concurrency and batch size. Processes run on the same machine as the
 * database, so on a small machine this shows where PostgreSQL (or the CPU they share) becomes the
 * bottleneck rather than what more machines would give.
 */
final class ScalingScenario {
    private final BenchOptions options;
    private final BenchWorkflows workflows;
    private final Progress progress;
    private final Yardstick yardstick;

    ScalingScenario(BenchOptions options, BenchWorkflows workflows, Progress progress, Yardstick yardstick) {
        this.options = options;
        this.workflows = workflows;
        this.progress = progress;
        this.yardstick = yardstick;
    }

    List<ScenarioResult> run() throws InterruptedException {
        BenchTarget pg = options.postgres();
        if (pg == null) {
            progress.say("scaling skipped: it needs a PostgreSQL database");
            return List.of();
        }
        Map<Integer, FigureSet> sets = new LinkedHashMap<>();
        for (int r = 1; r <= options.repeats(); r++) {
            yardstick.round(pg);
            for (int processes : options.processes()) {
                progress.say("scaling postgres processes=%d run %d/%d", processes, r, options.repeats());
                FigureSet set = sets.computeIfAbsent(processes, k -> new FigureSet());
                try (ScratchDatabase db = ScratchDatabase.create(pg)) {
                    ProcessDrain.Outcome o = ProcessDrain.run(
                            options,
                            workflows,
                            db,
                            processes,
                            options.executions(),
                            options.processWarmUp(),
                            Duration.ZERO,
                            options.workDir().resolve("scaling"),
                            "p" + processes + "-r" + r);
                    if (Double.isNaN(o.executionsPerSecond())) {
                        set.note("a run did not drain in time; it is left out");
                    }
                    set.add("executions_per_second", o.executionsPerSecond());
                    set.add("executions_per_second_per_process", o.executionsPerSecond() / processes);
                }
            }
        }
        List<ScenarioResult> out = new ArrayList<>();
        sets.forEach((processes, set) -> {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("processes", processes);
            params.put("executions", options.executions());
            params.put("concurrency", options.processConcurrency());
            params.put("batch_size", options.processConcurrency());
            params.put("warm_up_per_process", options.processWarmUp());
            out.add(set.result(
                    "scaling", processes + (processes == 1 ? " process" : " processes"), "postgres", params));
        });
        return out;
    }
}
