package io.nebula.worker.cli;

import io.nebula.worker.bench.Bench;
import io.nebula.worker.bench.BenchOptions;
import io.nebula.worker.bench.BenchTarget;
import io.nebula.worker.bench.Scenario;
import io.nebula.worker.config.DatabaseUrls;
import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.Setting;
import io.nebula.worker.config.Source;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.launch.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code nebula-worker bench}: measures drain throughput, a DAG workflow, submit throughput,
 * submit-to-start latency, scaling over processes, and memory and start-up, on fresh databases,
 * and prints a table (or, with {@code --json}, one JSON document). {@code --smoke} shrinks every
 * size so the whole run takes seconds (CI runs it so the benchmark cannot rot). The work is done
 * by {@link Bench}; this class only turns flags into {@link BenchOptions}.
 */
@Command(
        name = "bench",
        sortOptions = false,
        description = "Benchmark throughput, latency, scaling and memory on fresh databases and print the figures.")
final class BenchCommand implements Callable<Integer> {
    static final String DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/test";

    @Mixin
    private CommonOptions common;

    @ParentCommand
    private WorkerCommand root;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--database-url",
            paramLabel = "<URL>",
            description = "A database to measure; repeat for several. PostgreSQL: each run creates and drops a"
                    + " schema in it. sqlite:DIR: each run creates and deletes a file in DIR."
                    + " [default: " + DEFAULT_POSTGRES + " and sqlite:<work dir>/sqlite]")
    private List<String> databaseUrls;

    @Option(
            names = {"-s", "--scenario"},
            split = ",",
            paramLabel = "<NAME>",
            description = "baseline, drain, dag, submit, latency, scaling, memory, tracing (not in all), or all"
                    + " [default: all]")
    private List<String> scenarios;

    @Option(
            names = {"-n", "--executions"},
            paramLabel = "<N>",
            description = "Executions queued per drain, scaling and memory run [default: 100000; smoke 2000]")
    private Integer executions;

    @Option(
            names = "--dag-executions",
            paramLabel = "<N>",
            description = "Executions queued per 5-node DAG run [default: 20000; smoke 400]")
    private Integer dagExecutions;

    @Option(
            names = {"-c", "--concurrency"},
            split = ",",
            paramLabel = "<N>",
            description = "Worker concurrencies to drain with [default: 16,64,256; smoke 16]")
    private List<Integer> concurrencies;

    @Option(
            names = {"-b", "--batch-size"},
            split = ",",
            paramLabel = "<N>",
            description = "Claim batch sizes; one above the concurrency means the concurrency"
                    + " [default: 10,256; smoke 16]")
    private List<Integer> batchSizes;

    @Option(
            names = {"-P", "--processes"},
            split = ",",
            paramLabel = "<N>",
            description = "Worker process counts for the scaling scenario [default: 1,2,4; smoke 1,2]")
    private List<Integer> processes;

    @Option(
            names = "--process-concurrency",
            paramLabel = "<N>",
            description = "Concurrency of each worker process (scaling, memory) [default: 64]")
    private Integer processConcurrency;

    @Option(
            names = {"-r", "--repeats"},
            paramLabel = "<N>",
            description = "Runs per figure; figures are medians [default: 3; smoke 1]")
    private Integer repeats;

    @Option(
            names = "--latency-samples",
            paramLabel = "<N>",
            description = "Submits timed per latency run [default: 200; smoke 20]")
    private Integer latencySamples;

    @Option(
            names = "--no-warmup",
            description =
                    "Skip the untimed warm-ups: the warm-up drain (smoke skips it) and the scaling processes' warm-up backlog")
    private boolean noWarmup;

    @Option(names = "--smoke", description = "Tiny sizes: the whole benchmark in seconds, for CI")
    private boolean smoke;

    @Option(names = "--json", description = "Print one JSON document instead of tables")
    private boolean json;

    @Option(
            names = "--json-file",
            paramLabel = "<FILE>",
            description = "Also write the JSON document to this file (the tables still go to stdout)")
    private Path jsonFile;

    @Option(
            names = "--work-dir",
            paramLabel = "<DIR>",
            description = "Where SQLite files, worker configurations and logs go [default: <tmp>/nebula-bench]")
    private Path workDir;

    @Option(
            names = "--worker-java-opts",
            paramLabel = "<OPTS>",
            description = "Extra JVM options for worker processes; a heap size, collector or CDS option"
                    + " replaces the launcher's default")
    private String workerJavaOpts;

    @Override
    public Integer call() throws Exception {
        FlagOverrides flags = FlagOverrides.none();
        if (!root.env().containsKey("NEBULA_LOG") && !root.env().containsKey("RUST_LOG")) {
            // The in-process workers' start and stop lines would bury the progress lines.
            flags = flags.with(Setting.LOG_FILTER, "--bench", "nebula_worker=warn");
        }
        WorkerConfig base = root.configure(common, flags);
        Path runDir = (workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"), "nebula-bench"))
                .toAbsolutePath()
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                        + ProcessHandle.current().pid());
        BenchOptions options;
        try {
            options = options(base, runDir);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Files.createDirectories(runDir);
        String command = "nebula-worker "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        Bench.Rendered report = Bench.run(options, command, spec.commandLine().getErr());
        if (jsonFile != null) {
            Files.writeString(jsonFile, report.json());
        }
        spec.commandLine().getOut().print(json ? report.json() : report.table());
        spec.commandLine().getOut().flush();
        deleteTree(runDir);
        return Main.OK;
    }

    private BenchOptions options(WorkerConfig base, Path runDir) {
        List<String> urls =
                databaseUrls != null ? databaseUrls : List.of(DEFAULT_POSTGRES, "sqlite:" + runDir.resolve("sqlite"));
        List<BenchTarget> targets = new ArrayList<>();
        for (String u : urls) {
            targets.add(new BenchTarget(u, DatabaseUrls.parse(u, Source.flag("--database-url"))));
        }
        List<Scenario> chosen =
                scenarios == null || scenarios.stream().anyMatch(s -> s.strip().equals("all"))
                        ? java.util.Arrays.stream(Scenario.values())
                                .filter(s -> s != Scenario.TRACING)
                                .toList()
                        : scenarios.stream().map(Scenario::parse).distinct().toList();
        List<String> extraOpts = workerJavaOpts == null || workerJavaOpts.isBlank()
                ? List.of()
                : Arrays.asList(workerJavaOpts.strip().split("\\s+"));
        int n = or(executions, smoke ? 2_000 : 100_000);
        return new BenchOptions(
                chosen,
                targets,
                n,
                or(dagExecutions, smoke ? 400 : 20_000),
                or(concurrencies, smoke ? List.of(16) : List.of(16, 64, 256)),
                or(batchSizes, smoke ? List.of(16) : List.of(10, 256)),
                or(processes, smoke ? List.of(1, 2) : List.of(1, 2, 4)),
                or(processConcurrency, 64),
                or(repeats, smoke ? 1 : 3),
                or(latencySamples, smoke ? 20 : 200),
                !noWarmup && !smoke,
                // Half the backlog per process; at smoke sizes that is a second, so smoke keeps it.
                noWarmup ? 0 : n / 2,
                runDir,
                base,
                ChildJvm.sized(extraOpts, runDir.resolve("worker.jsa")));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
