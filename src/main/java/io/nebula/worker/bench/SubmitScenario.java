package io.nebula.worker.bench;

import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submit throughput through the public client ({@code WorkflowClient}), with no worker running:
 * one execution per call from one caller, the same from {@value #CALLERS} callers at once (their
 * commits can share a log flush), and bulk calls of {@value BenchWorkflows#CHUNK} executions.
 * Every run gets a fresh database.
 */
final class SubmitScenario {
    static final int CALLERS = 16;

    private final BenchOptions options;
    private final BenchWorkflows workflows;
    private final Progress progress;

    SubmitScenario(BenchOptions options, BenchWorkflows workflows, Progress progress) {
        this.options = options;
        this.workflows = workflows;
        this.progress = progress;
    }

    /** How many single submits a run times: enough to average, few enough to stay quick. */
    int singles() {
        return Math.max(1, Math.min(5_000, options.executions() / 20));
    }

    List<ScenarioResult> run() throws InterruptedException {
        Map<String, FigureSet> sets = new LinkedHashMap<>();
        for (int r = 1; r <= options.repeats(); r++) {
            for (BenchTarget target : options.targets()) {
                progress.say("submit %s run %d/%d", target.store(), r, options.repeats());
                try (ScratchDatabase db = ScratchDatabase.create(target);
                        ExecutionStore raw = db.openStore("nebula-bench/submit", false)) {
                    raw.migrate();
                    MeteredStore metered = new MeteredStore(raw);
                    WorkflowClient client = workflows.client(metered.store());
                    client.submit(workflows.single(), "{}", SubmitOptions.defaults()); // warm the statements
                    metered.reset();
                    FigureSet one = sets.computeIfAbsent(target.text() + "|single", k -> new FigureSet());
                    one.add("submits_per_second", singles() / sequential(client));
                    one.detail("store_calls", metered.perExecution(singles()));
                    FigureSet many = sets.computeIfAbsent(target.text() + "|concurrent", k -> new FigureSet());
                    many.add("submits_per_second", singles() / concurrent(client));
                    FigureSet bulk = sets.computeIfAbsent(target.text() + "|bulk", k -> new FigureSet());
                    int n = options.executions();
                    bulk.add("submits_per_second", n / BenchWorkflows.queue(client, workflows.single(), n));
                }
            }
        }
        List<ScenarioResult> out = new ArrayList<>();
        for (BenchTarget target : options.targets()) {
            out.add(result(sets, target, "single", "1 per call, 1 caller", singles(), 1, 1));
            out.add(result(sets, target, "concurrent", "1 per call, " + CALLERS + " callers", singles(), 1, CALLERS));
            out.add(result(
                    sets,
                    target,
                    "bulk",
                    BenchWorkflows.CHUNK + " per call, 1 caller",
                    options.executions(),
                    BenchWorkflows.CHUNK,
                    1));
        }
        return out;
    }

    private ScenarioResult result(
            Map<String, FigureSet> sets,
            BenchTarget target,
            String mode,
            String label,
            int submits,
            int perCall,
            int callers) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("mode", mode);
        params.put("executions", submits);
        params.put("executions_per_call", perCall);
        params.put("callers", callers);
        return sets.get(target.text() + "|" + mode).result("submit", label, target.store(), params);
    }

    private double sequential(WorkflowClient client) {
        long t0 = System.nanoTime();
        for (int i = 0; i < singles(); i++) {
            client.submit(workflows.single(), "{}", SubmitOptions.defaults());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private double concurrent(WorkflowClient client) throws InterruptedException {
        AtomicInteger left = new AtomicInteger(singles());
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLERS; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (left.getAndDecrement() > 0) {
                    client.submit(workflows.single(), "{}", SubmitOptions.defaults());
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
