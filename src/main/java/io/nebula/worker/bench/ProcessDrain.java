package io.nebula.worker.bench;

import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One drain by real worker processes: queue {@code n} single-node executions on a paused queue,
 * start the processes, wait until every one answers {@code /ready}, optionally let them idle, then
 * resume the queue and wait until nothing is left. Throughput comes from the database clock (first
 * claim to last completion), so process start-up and the pause do not count. Resident memory of
 * each process is sampled throughout.
 *
 * <p>With a warm-up, the processes first drain one shared backlog of {@code warmUpPerProcess}
 * executions per process (whichever process claims them; left out of the window by id), the table
 * is vacuumed, and the timed backlog is queued once they are idle: a fresh JVM spends seconds of
 * CPU compiling in its first half minute, and processes that share two cores would otherwise be
 * measured compiling side by side.
 */
final class ProcessDrain {
    private static final String QUEUE = "default";

    /**
     * What one drain measured.
     *
     * @param executionsPerSecond aggregate drain throughput, or NaN when it did not finish
     * @param readyMs each process's spawn-to-ready time
     * @param idleRssMb the largest resident set of any process after idling
     * @param loadPeakRssMb the largest peak resident set ({@code VmHWM}) of any process at the end
     */
    record Outcome(double executionsPerSecond, List<Double> readyMs, double idleRssMb, double loadPeakRssMb) {}

    private ProcessDrain() {}

    /** Waits until nothing is available or running, up to a deadline that grows with {@code n}. */
    private static boolean awaitDrained(ScratchDatabase db, int n) throws InterruptedException {
        long deadline =
                System.nanoTime() + Duration.ofSeconds(Math.max(120, n / 100)).toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(100);
            if (!db.backlogOpen()) {
                return true;
            }
        }
        return false;
    }

    static Outcome run(
            BenchOptions options,
            BenchWorkflows workflows,
            ScratchDatabase db,
            int processes,
            int n,
            int warmUpPerProcess,
            Duration idle,
            Path dir,
            String name)
            throws InterruptedException {
        try (ExecutionStore admin = db.openStore("nebula-bench/admin", false)) {
            admin.migrate();
            admin.queuePause(QUEUE, true);
            WorkflowClient client = workflows.client(admin);
            int warmUp = Math.multiplyExact(warmUpPerProcess, processes);
            BenchWorkflows.queue(client, workflows.single(), warmUp > 0 ? warmUp : n);
            RunConfig run = RunConfig.of(options.processConcurrency(), options.processConcurrency());
            int connections = Math.max(4, Math.min(options.base().database().maxConnections(), 60 / processes));
            List<WorkerProcess> fleet = new ArrayList<>();
            try {
                for (int i = 0; i < processes; i++) {
                    fleet.add(WorkerProcess.start(options.launch(), db, run, connections, dir, name + "-" + i));
                }
                List<Double> ready = new ArrayList<>();
                for (WorkerProcess p : fleet) {
                    ready.add(p.awaitReady(Duration.ofSeconds(60)));
                }
                Thread.sleep(idle.toMillis());
                double idleRss =
                        fleet.stream().mapToDouble(WorkerProcess::rssMb).max().orElse(Double.NaN);
                long after = 0;
                if (warmUp > 0) {
                    admin.queuePause(QUEUE, false);
                    if (!awaitDrained(db, warmUp)) {
                        return new Outcome(Double.NaN, ready, idleRss, Double.NaN);
                    }
                    admin.queuePause(QUEUE, true);
                    db.vacuum();
                    after = db.lastExecutionId();
                    BenchWorkflows.queue(client, workflows.single(), n);
                }
                admin.queuePause(QUEUE, false);
                boolean open = !awaitDrained(db, n);
                double peak = fleet.stream()
                        .mapToDouble(WorkerProcess::peakRssMb)
                        .max()
                        .orElse(Double.NaN);
                ScratchDatabase.DrainWindow w = db.drainWindowAfter(after);
                // Exactly the timed backlog: a warm-up counted in would show as more.
                double rate = open || w.finished() != n ? Double.NaN : w.perSecond();
                return new Outcome(rate, ready, idleRss, peak);
            } finally {
                for (WorkerProcess p : fleet) {
                    p.close();
                }
            }
        }
    }
}
