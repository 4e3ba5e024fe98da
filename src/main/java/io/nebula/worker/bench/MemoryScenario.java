package io.nebula.worker.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker process at the configured process concurrency (64 by default): time from spawn to
 * {@code /ready}, resident memory after idling, and peak resident memory ({@code VmHWM}) after
 * draining a backlog. Uses the first PostgreSQL target, else the first target.
 *
 * <p>The first process of a benchmark writes the AppCDS archive that later ones map (as {@code
 * bin/nebula-worker} does); its start-up is reported separately as the cold start and is not part
 * of the median.
 */
final class MemoryScenario {
    private final BenchOptions options;
    private final BenchWorkflows workflows;
    private final Progress progress;
    private final Duration idle;

    MemoryScenario(BenchOptions options, BenchWorkflows workflows, Progress progress, Duration idle) {
        this.options = options;
        this.workflows = workflows;
        this.progress = progress;
        this.idle = idle;
    }

    List<ScenarioResult> run() throws InterruptedException {
        BenchTarget target = options.postgres() != null
                ? options.postgres()
                : options.targets().get(0);
        Path dir = options.workDir().resolve("memory");
        FigureSet set = new FigureSet();
        if (!cdsArchiveExists()) {
            progress.say("memory: cold start (writes the class data sharing archive)");
            try (ScratchDatabase db = ScratchDatabase.create(target)) {
                ProcessDrain.Outcome cold =
                        ProcessDrain.run(options, workflows, db, 1, 1, 0, Duration.ZERO, dir, "cold");
                set.detail("cold_start_to_ready_ms", Math.round(cold.readyMs().get(0)));
            }
        }
        for (int r = 1; r <= options.repeats(); r++) {
            progress.say("memory %s run %d/%d", target.store(), r, options.repeats());
            try (ScratchDatabase db = ScratchDatabase.create(target)) {
                ProcessDrain.Outcome o =
                        ProcessDrain.run(options, workflows, db, 1, options.executions(), 0, idle, dir, "mem-r" + r);
                set.add("start_to_ready_ms", o.readyMs().get(0));
                set.add("idle_rss_mb", o.idleRssMb());
                set.add("peak_rss_mb", o.loadPeakRssMb());
                set.add("executions_per_second", o.executionsPerSecond());
            }
        }
        set.detail("jvm_options", String.join(" ", options.launch().jvmOptions()));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("processes", 1);
        params.put("concurrency", options.processConcurrency());
        params.put("batch_size", options.processConcurrency());
        params.put("executions", options.executions());
        params.put("idle_ms", idle.toMillis());
        return List.of(set.result("memory", "c=" + options.processConcurrency(), target.store(), params));
    }

    private boolean cdsArchiveExists() {
        for (String o : options.launch().jvmOptions()) {
            if (o.startsWith("-XX:SharedArchiveFile=")) {
                return Files.exists(Path.of(o.substring("-XX:SharedArchiveFile=".length())));
            }
        }
        return true;
    }
}
