package io.nebula.worker.faults;

import io.nebula.worker.testing.WorkerLauncher;
import io.nebula.worker.testing.WorkerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * One fault-injection run: a fresh database, a fleet of worker processes, a workload, a nemesis
 * (all sharing one seed, printed at the start so a failure can be replayed with {@code
 * -Dnebula.faults.seed=<seed>}), and at the end the checker's report, written to {@code
 * report.txt} in the run's folder and appended to {@code target/process-tests/faults/summary.txt}.
 */
public final class FaultRun implements AutoCloseable {
    private final String scenario;
    private final long seed;
    private final String prefix;
    private final TestStore store;
    private final WorkerLauncher launcher;
    private final Fleet fleet;
    private final Workload workload;
    private final Nemesis nemesis;
    private final Instant started = Instant.now();
    private History history;

    private FaultRun(String scenario, TestStore store, WorkerSettings settings, Path dir) {
        this(scenario, store, settings, dir, WorkerLauncher::new);
    }

    private FaultRun(
            String scenario,
            TestStore store,
            WorkerSettings settings,
            Path dir,
            java.util.function.BiFunction<Path, Map<String, String>, WorkerLauncher> launchers) {
        this.scenario = scenario;
        this.seed =
                Long.getLong("nebula.faults.seed", ThreadLocalRandom.current().nextLong());
        byte[] b = new byte[2];
        ThreadLocalRandom.current().nextBytes(b);
        this.prefix = "f" + HexFormat.of().formatHex(b);
        this.store = store;
        this.launcher = launchers.apply(dir, store.workerEnv());
        this.fleet = new Fleet(launcher, store, settings);
        this.workload = new Workload(store, seed);
        this.nemesis = new Nemesis(seed, fleet, store);
        System.out.printf(
                "fault run %s: seed=%d (replay with -Dnebula.faults.seed=%d), logs in %s%n", scenario, seed, seed, dir);
    }

    /** A run against a fresh PostgreSQL schema. */
    public static FaultRun postgres(String scenario, WorkerSettings settings) {
        Path dir = WorkerLauncher.runDir("faults", scenario);
        return new FaultRun(scenario, new PostgresTestStore(), settings, dir);
    }

    /**
     * A run against a fresh PostgreSQL schema that the worker processes reach at {@code
     * workerJdbcUrl} (credentials as parameters) and write their side effects to at {@code
     * effectsJdbcUrl}, while the test connects directly.
     */
    public static FaultRun postgresVia(
            String scenario, WorkerSettings settings, String workerJdbcUrl, String effectsJdbcUrl) {
        Path dir = WorkerLauncher.runDir("faults", scenario);
        return new FaultRun(scenario, new PostgresTestStore(workerJdbcUrl, effectsJdbcUrl), settings, dir);
    }

    /** As {@link #postgresVia(String, WorkerSettings, String, String)} with a launcher of its own. */
    public static FaultRun postgresVia(
            String scenario,
            WorkerSettings settings,
            String workerJdbcUrl,
            String effectsJdbcUrl,
            java.util.function.BiFunction<Path, Map<String, String>, WorkerLauncher> launchers) {
        Path dir = WorkerLauncher.runDir("faults", scenario);
        return new FaultRun(scenario, new PostgresTestStore(workerJdbcUrl, effectsJdbcUrl), settings, dir, launchers);
    }

    /** A run against a fresh SQLite file shared by the workers. */
    public static FaultRun sqlite(String scenario, WorkerSettings settings) {
        Path dir = WorkerLauncher.runDir("faults", scenario);
        return new FaultRun(scenario, new SqliteTestStore(dir.resolve("db")), settings, dir);
    }

    /** Worker names unique to this run, so connection names never collide with another run's. */
    public String[] names(int n) {
        return java.util.stream.IntStream.rangeClosed(1, n)
                .mapToObj(i -> prefix + "-w" + i)
                .toArray(String[]::new);
    }

    public long seed() {
        return seed;
    }

    public TestStore store() {
        return store;
    }

    public Fleet fleet() {
        return fleet;
    }

    public Workload workload() {
        return workload;
    }

    public Nemesis nemesis() {
        return nemesis;
    }

    public History history() {
        return history;
    }

    /** Reads the history, judges it, writes the report; call after {@link Fleet#stopAll()}. */
    public CheckReport check(Duration settleMargin) {
        history = HistoryLoader.load(
                store, workload.submitted(), fleet.records(), FaultWorkflows.EFFECT_NODES, settleMargin);
        CheckReport report = HistoryChecker.check(history);
        String text = summary(report) + report.render();
        System.out.println(text);
        try {
            Files.writeString(
                    launcher.runDir().resolve("report.txt"),
                    text,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Path all = launcher.runDir().getParent().resolve("summary.txt");
            Files.writeString(
                    all,
                    "== " + Instant.now() + " " + text + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return report;
    }

    /** Adds a line to the run's report (a scenario's own measurement). */
    public void note(String line) {
        System.out.println(line);
        try {
            Files.writeString(
                    launcher.runDir().resolve("report.txt"),
                    line + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Files.writeString(
                    launcher.runDir().getParent().resolve("summary.txt"),
                    "  " + line + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Faults by kind (from the faults table), executions by final state, duration. */
    public String summary(CheckReport report) {
        Map<String, Long> faults = history.faults().stream()
                .collect(Collectors.groupingBy(History.Fault::kind, TreeMap::new, Collectors.counting()));
        Map<String, Long> states = history.executions().values().stream()
                .collect(Collectors.groupingBy(History.Execution::state, TreeMap::new, Collectors.counting()));
        long quarantined = history.events().values().stream()
                .flatMap(List::stream)
                .filter(e -> e.event().equals("quarantined"))
                .count();
        return "scenario " + scenario + " (" + store.dialect() + ", seed " + seed + ", "
                + Duration.between(started, Instant.now()).toSeconds() + " s, "
                + history.workers().size()
                + " worker processes)\n"
                + "  faults: " + faults + "\n"
                + "  executions: " + history.submitted().size() + " submitted, final states " + states
                + ", quarantined " + quarantined + "\n"
                + "  lost: "
                + (report.verdict(1).count("missing") + report.verdict(1).count("not_terminal"))
                + ", double successes: " + report.verdict(2).count("double_success")
                + ", duplicate side effects: " + report.verdict(4).count("duplicate_effects")
                + " (rescue " + report.verdict(4).count("explained_by_rescue")
                + ", lease loss " + report.verdict(4).count("explained_by_lease_loss")
                + ", release " + report.verdict(4).count("explained_by_release")
                + ", node retry " + report.verdict(4).count("explained_by_node_retry")
                + ", unexplained " + report.verdict(4).count("unexplained_duplicate_effect") + ")\n";
    }

    @Override
    public void close() {
        try {
            nemesis.close();
        } finally {
            try {
                fleet.close();
            } finally {
                store.close();
            }
        }
    }

    @Override
    public String toString() {
        return scenario + " " + fleet.names();
    }
}
