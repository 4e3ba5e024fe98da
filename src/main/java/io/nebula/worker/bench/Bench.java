package io.nebula.worker.bench;

import io.nebula.worker.config.DatabaseUrl;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark: runs the chosen scenarios in order against fresh databases and renders one
 * report. Progress goes to {@code err}; the report is returned for the caller to print. See
 * {@code README.md} ("Performance") for what each scenario measures and how to read the figures.
 *
 * <p>Contract: every scenario run creates its own schema or file and removes it afterwards, also
 * when it fails; worker processes it starts are stopped before it returns. Speed targets are
 * printed as goals, never enforced.
 */
public final class Bench {
    private Bench() {}

    /** The report of one run, rendered both ways. */
    public record Rendered(String table, String json) {}

    /**
     * Runs the benchmark.
     *
     * @param command the command line as typed, printed with the figures so they can be reproduced
     * @throws IllegalStateException when a PostgreSQL target cannot be reached
     */
    public static Rendered run(BenchOptions options, String command, PrintWriter err) throws InterruptedException {
        for (BenchTarget t : options.targets()) {
            requireReachable(t);
        }
        Progress progress = new Progress(err);
        Map<String, Object> machine = Machine.describe(options.targets());
        CpuTicks ticks = CpuTicks.now();
        BenchWorkflows workflows = new BenchWorkflows();
        List<ScenarioResult> results = new ArrayList<>();
        Yardstick yardstick = new Yardstick(options, progress);
        boolean smallRun = options.executions() < 10_000;
        for (Scenario s : options.scenarios()) {
            results.addAll(
                    switch (s) {
                        case BASELINE -> {
                            // Drain, DAG and scaling runs already alternate with baseline runs.
                            if (options.scenarios().stream()
                                    .noneMatch(
                                            x -> x == Scenario.DRAIN || x == Scenario.DAG || x == Scenario.SCALING)) {
                                yardstick.runAlone();
                            }
                            yield List.of();
                        }
                        case DRAIN, DAG, TRACING -> new DrainScenario(options, workflows, s, progress, yardstick).run();
                        case SUBMIT -> new SubmitScenario(options, workflows, progress).run();
                        case LATENCY -> new LatencyScenario(options, workflows, progress).run();
                        case SCALING -> new ScalingScenario(options, workflows, progress, yardstick).run();
                        case MEMORY ->
                            new MemoryScenario(
                                            options,
                                            workflows,
                                            progress,
                                            smallRun ? Duration.ofMillis(500) : Duration.ofSeconds(5))
                                    .run();
                    });
        }
        progress.say("done");
        machine.putAll(ticks.until(CpuTicks.now()));
        machine.put("load_average_at_end", Machine.loadAverage());
        List<ScenarioResult> all = new ArrayList<>(yardstick.results());
        all.addAll(yardstick.withRatios(results));
        results = all;
        Report report = new Report(command, machine, describe(options), results, Goals.check(results));
        return new Rendered(report.table(), report.json());
    }

    private static Map<String, Object> describe(BenchOptions o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenarios", o.scenarios().stream().map(Scenario::label).toList());
        m.put("databases", o.targets().stream().map(BenchTarget::toString).toList());
        m.put("executions", o.executions());
        m.put("dag_executions", o.dagExecutions());
        m.put("concurrency", o.concurrencies());
        m.put("batch_size", o.batchSizes());
        m.put("processes", o.processes());
        m.put("process_concurrency", o.processConcurrency());
        m.put("repeats", o.repeats());
        m.put("latency_samples", o.latencySamples());
        m.put("warmup", o.warmup());
        m.put("poll_interval_ms", o.base().worker().pollInterval().toMillis());
        m.put("max_connections", o.base().database().maxConnections());
        m.put("worker_jvm_options", o.launch().jvmOptions());
        return m;
    }

    private static void requireReachable(BenchTarget t) {
        if (t.url() instanceof DatabaseUrl.Postgres pg) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.properties())) {
                c.isValid(2);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot reach PostgreSQL at " + pg.redacted() + ": " + e.getMessage()
                        + " (give --database-url sqlite:DIR to benchmark SQLite only)");
            }
        }
    }
}
