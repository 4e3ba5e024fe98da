package io.nebula.worker.bench;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.launch.ChildJvm;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one benchmark run needs, validated once.
 *
 * @param scenarios what to run, in this order
 * @param targets the databases, each measured separately where a scenario supports it
 * @param executions pre-queued executions per drain run (and per scaling and memory run)
 * @param dagExecutions pre-queued executions per five-node DAG run
 * @param concurrencies worker concurrencies the drain scenarios try
 * @param batchSizes claim batch sizes the drain scenarios try; a batch larger than the concurrency
 *     is the concurrency (a worker never claims more than its free slots)
 * @param processes worker process counts the scaling scenario tries
 * @param processConcurrency concurrency of each worker process (scaling, memory)
 * @param repeats runs per figure; each figure is the median of these
 * @param latencySamples submits timed per latency run
 * @param warmup whether one untimed drain warms the JIT before the timed ones
 * @param processWarmUp executions per worker process of the scaling scenario in the untimed
 *     backlog the processes drain together before the timed one (0: none)
 * @param workDir where SQLite files, worker configurations, logs and the CDS archive go
 * @param base the loaded configuration every run starts from (pool size, timings, ...)
 * @param launch how worker processes are started
 */
public record BenchOptions(
        List<Scenario> scenarios,
        List<BenchTarget> targets,
        int executions,
        int dagExecutions,
        List<Integer> concurrencies,
        List<Integer> batchSizes,
        List<Integer> processes,
        int processConcurrency,
        int repeats,
        int latencySamples,
        boolean warmup,
        int processWarmUp,
        Path workDir,
        WorkerConfig base,
        ChildJvm launch) {

    public BenchOptions {
        scenarios = List.copyOf(scenarios);
        targets = List.copyOf(targets);
        concurrencies = List.copyOf(concurrencies);
        batchSizes = List.copyOf(batchSizes);
        processes = List.copyOf(processes);
        require(!scenarios.isEmpty(), "at least one scenario");
        require(!targets.isEmpty(), "at least one database");
        require(executions >= 1 && dagExecutions >= 1, "executions must be at least 1");
        require(positive(concurrencies) && positive(batchSizes) && positive(processes), "sizes must be at least 1");
        require(processConcurrency >= 1, "process concurrency must be at least 1");
        require(repeats >= 1 && repeats <= 100, "repeats must be from 1 to 100");
        require(latencySamples >= 1, "latency samples must be at least 1");
        require(processWarmUp >= 0, "the process warm-up cannot be negative");
    }

    private static boolean positive(List<Integer> values) {
        return !values.isEmpty() && values.stream().allMatch(v -> v >= 1);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }

    /** The first PostgreSQL target, or {@code null} when none was given. */
    public BenchTarget postgres() {
        return targets.stream().filter(BenchTarget::postgres).findFirst().orElse(null);
    }
}
