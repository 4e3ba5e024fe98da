package io.nebula.worker.bench;

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

    static Outcome run(
            BenchOptions options,
            BenchWorkflows workflows,
            ScratchDatabase db,
            int processes,
            int n,
            Duration idle,
            Path dir,
            String name)
            throws InterruptedException {
        try (ExecutionStore admin = db.openStore("nebula-bench/admin", false)) {
            admin.migrate();
            admin.queuePause(QUEUE, true);
            BenchWorkflows.queue(workflows.client(admin), workflows.single(), n);
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
                admin.queuePause(QUEUE, false);
                long deadline = System.nanoTime()
                        + Duration.ofSeconds(Math.max(120, n / 100)).toNanos();
                boolean open = true;
                while (open && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    open = db.backlogOpen();
                }
                double peak = fleet.stream()
                        .mapToDouble(WorkerProcess::peakRssMb)
                        .max()
                        .orElse(Double.NaN);
                ScratchDatabase.DrainWindow w = db.drainWindow();
                double rate = open || w.finished() < n ? Double.NaN : w.perSecond();
                return new Outcome(rate, ready, idleRss, peak);
            } finally {
                for (WorkerProcess p : fleet) {
                    p.close();
                }
            }
        }
    }
}
