package io.nebula.worker.bench;

import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.workflow.LoadedWorkflow;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drain throughput: {@code n} executions are queued first (bulk submit), then one worker starts in
 * this process and runs them all with the real runtime and store. The clock runs from the first
 * claim that returned rows to the last execution reaching its terminal state, as the worker's
 * listener reports them, so start-up and submit are not counted. Every run gets a fresh database.
 *
 * <p>Variants are every concurrency with every batch size (a batch larger than the concurrency is
 * the concurrency), on every target. Repeats go round the variants, so a noisy minute on a shared
 * machine touches all of them rather than one.
 *
 * <p>The tracing scenario is the DAG drain at every variant, each with OpenTelemetry off and then
 * on (every trace sampled, spans posted to a loopback {@link TraceSink}); then the same for {@code
 * bench-http}, whose first node calls a {@link LoopbackApi}. Both servers run in a process of their
 * own ({@link LoopbackServers}), whose CPU per execution is reported apart from the worker's.
 */
final class DrainScenario {
    private static final String WORKER_CLIENT = "nebula-bench/worker";
    /** The end of the note on a run that did not finish, whose figures are not counted. */
    static final String LEFT_OUT = "it is left out";

    private final BenchOptions options;
    private final BenchWorkflows workflows;
    private final Scenario scenario;
    /** The scenario's own workflow: single-node, or the DAG (which the tracing scenario starts with). */
    private final LoadedWorkflow mainWorkflow;

    private final int executions;
    private final Progress progress;
    private final Yardstick yardstick;
    /** The tracing scenario's trace sink and API, in their own process; {@code null} otherwise. */
    private LoopbackServers servers;

    DrainScenario(
            BenchOptions options, BenchWorkflows workflows, Scenario scenario, Progress progress, Yardstick yardstick) {
        this.options = options;
        this.workflows = workflows;
        this.scenario = scenario;
        boolean dag = scenario == Scenario.DAG || scenario == Scenario.TRACING;
        this.mainWorkflow = dag ? workflows.dag() : workflows.single();
        this.executions = dag ? options.dagExecutions() : options.executions();
        this.progress = progress;
        this.yardstick = yardstick;
    }

    List<ScenarioResult> run() throws InterruptedException {
        if (scenario != Scenario.TRACING) {
            return run(variants(), mainWorkflow);
        }
        try (LoopbackServers started = LoopbackServers.start()) {
            servers = started;
            List<RunConfig> both = new ArrayList<>();
            List<RunConfig> bothHttp = new ArrayList<>();
            for (RunConfig plain : variants()) {
                both.add(plain);
                both.add(plain.traced(started.traceEndpoint()));
                bothHttp.add(plain.withLoopbackHttp());
                bothHttp.add(plain.withLoopbackHttp().traced(started.traceEndpoint()));
            }
            List<ScenarioResult> out = new ArrayList<>(run(both, mainWorkflow));
            out.addAll(run(bothHttp, workflows.http(started.apiUrl())));
            long[] counts = started.counts();
            progress.say(
                    "tracing: %d exports, %d bytes of spans; the loopback API answered %d requests, %d with a"
                            + " traceparent",
                    counts[0], counts[1], counts[2], counts[3]);
            return TracingCost.withOnOverOff(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot run the tracing scenario's loopback servers", e);
        } finally {
            servers = null;
        }
    }

    private List<ScenarioResult> run(List<RunConfig> variants, LoadedWorkflow workflow) throws InterruptedException {
        int nodes = workflow.workflow().nodes().size();
        Map<String, FigureSet> sets = new LinkedHashMap<>();
        for (BenchTarget target : options.targets()) {
            if (options.warmup()) {
                // Until the JIT has little left to compile (at most three rounds): the C2 compiler
                // otherwise spends seconds of CPU during the first timed runs. The tracing scenario
                // warms both of its variants, so the tracing code is compiled before it is timed.
                List<RunConfig> warm = scenario == Scenario.TRACING ? variants.subList(0, 2) : variants.subList(0, 1);
                for (int w = 1; w <= 3; w++) {
                    progress.say("%s warm-up %d on %s%s", scenario.label(), w, target.store(), named(workflow));
                    long jit0 = jitMillis();
                    for (RunConfig v : warm) {
                        runOnce(target, v, workflow, Math.min(executions, 30_000), new FigureSet());
                    }
                    if (jitMillis() - jit0 < 300 * warm.size()) {
                        break;
                    }
                }
            }
        }
        for (int r = 1; r <= options.repeats(); r++) {
            for (BenchTarget target : options.targets()) {
                yardstick.round(target);
                for (RunConfig v : variants) {
                    FigureSet set = sets.computeIfAbsent(key(target, v), k -> new FigureSet());
                    progress.say(
                            "%s %s c=%d b=%d run %d/%d%s",
                            scenario.label(),
                            target.store(),
                            v.concurrency(),
                            v.batchSize(),
                            r,
                            options.repeats(),
                            named(workflow));
                    runOnce(target, v, workflow, executions, set);
                }
            }
        }
        List<ScenarioResult> out = new ArrayList<>();
        for (BenchTarget target : options.targets()) {
            for (RunConfig v : variants) {
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("executions", executions);
                params.put("nodes_per_execution", nodes);
                params.put("concurrency", v.concurrency());
                params.put("batch_size", v.batchSize());
                params.put("processes", 1);
                String label = "c=" + v.concurrency() + " b=" + v.batchSize();
                if (scenario == Scenario.TRACING) {
                    boolean on = v.traceEndpoint() != null;
                    params.put("workflow", workflow.workflow().name());
                    params.put("tracing", on);
                    label += " " + workflow.workflow().name() + (on ? " tracing on" : " tracing off");
                }
                out.add(sets.get(key(target, v)).result(scenario.label(), label, target.store(), params));
            }
        }
        return out;
    }

    /** The workflow's name for progress lines of the tracing scenario, which runs two; else nothing. */
    private String named(LoadedWorkflow w) {
        return scenario == Scenario.TRACING ? " (" + w.workflow().name() + ")" : "";
    }

    /** Milliseconds this JVM has spent compiling so far, or 0 when the JVM does not say. */
    static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private static String key(BenchTarget t, RunConfig v) {
        return t.text() + "|" + v.concurrency() + "|" + v.batchSize() + "|" + (v.traceEndpoint() != null);
    }

    private List<RunConfig> variants() {
        List<RunConfig> out = new ArrayList<>();
        for (int c : options.concurrencies()) {
            for (int b : options.batchSizes()) {
                RunConfig v = RunConfig.of(c, Math.min(b, c));
                if (!out.contains(v)) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    private void runOnce(BenchTarget target, RunConfig v, LoadedWorkflow workflow, int n, FigureSet set)
            throws InterruptedException {
        int nodes = workflow.workflow().nodes().size();
        try (ScratchDatabase db = ScratchDatabase.create(target)) {
            try (ExecutionStore submitter = db.openStore("nebula-bench/submit", false)) {
                submitter.migrate();
                BenchWorkflows.queue(workflows.client(submitter), workflow, n);
            }
            CompletionProbe probe = new CompletionProbe(false);
            probe.expect(n);
            MeteredStore metered = new MeteredStore(db.openStore(WORKER_CLIENT, v.listen()));
            String workerId = "bench-" + ProcessHandle.current().pid();
            NebulaWorker worker = NebulaWorker.builder()
                    .config(v.apply(options.base(), db, workerId))
                    .store(metered.store(), true)
                    .workerId(workerId)
                    .listener(probe)
                    .build();
            Duration limit = Duration.ofSeconds(Math.max(120, n * (long) nodes / 200));
            boolean pgCpu = LocalPostgresCpu.measurable(target);
            Map<Long, Long> dbCpu0 = pgCpu ? LocalPostgresCpu.snapshot() : Map.of();
            Map<Long, Long> dbCpu1 = Map.of();
            Set<Long> dbPids = Set.of();
            boolean done;
            long jit0 = jitMillis();
            double servers0 = servers == null ? -1 : servers.cpuMicros();
            double servers1 = -1;
            try {
                worker.start();
                done = probe.awaitFinished(limit);
                servers1 = servers == null ? -1 : servers.cpuMicros();
                if (pgCpu) {
                    dbCpu1 = LocalPostgresCpu.snapshot();
                    try (Connection c = db.connection()) {
                        dbPids = LocalPostgresCpu.ours(c, WORKER_CLIENT);
                    } catch (SQLException e) {
                        pgCpu = false;
                    }
                }
            } finally {
                worker.worker().stop(Duration.ofSeconds(5));
            }
            if (!done) {
                set.note("a run did not finish within " + limit.toSeconds() + " s (" + probe.finished() + " of " + n
                        + " executions); " + LEFT_OUT);
                return;
            }
            if (probe.failed() > 0) {
                set.note(probe.failed() + " executions did not succeed in one run");
            }
            double perSecond = n / probe.drainSeconds();
            set.add("executions_per_second", perSecond);
            if (nodes > 1) {
                set.add("nodes_per_second", perSecond * nodes);
            }
            set.add("worker_cpu_us_per_execution", probe.cpuMicrosPerExecution());
            set.add("worker_cpu_without_jit_us_per_execution", probe.cpuMicrosPerExecutionWithoutJit());
            set.add("worker_heap_bytes_per_execution", probe.allocatedBytesPerExecution());
            // JIT compilation runs on its own threads and counts in the worker's CPU: a run that
            // compiles a lot measures the JIT as much as the worker.
            set.add("jit_compile_ms", jitMillis() - jit0);
            if (servers0 >= 0 && servers1 >= 0) {
                // The trace sink's and the loopback API's process, outside the worker's figure.
                set.add("loopback_servers_cpu_us_per_execution", (servers1 - servers0) / n);
            }
            if (pgCpu) {
                set.add("postgres_cpu_us_per_execution", ProcTicks.microsBetween(dbCpu0, dbCpu1, dbPids) / n);
            }
            set.detail("store_calls", metered.perExecution(n));
            if (target.postgres()) {
                // A backend reports its row counts when it exits; give the closed pool's a moment.
                Thread.sleep(500);
                set.detail("rows_written_per_execution", RowsWritten.perExecution(db.tableWrites(), n));
            }
        }
    }
}
