package io.nebula.worker.bench;

import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.Submitted;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Submit-to-start latency at low load. An idle worker runs in this process; a client with its own
 * store (own connections, so a wake-up has to travel through the database as it would between
 * machines) submits one execution at a time, waits until the worker has started it, pauses a few
 * milliseconds and submits the next. Latency is from the start of the submit call to the moment
 * the worker starts the execution; the time from the submit's return (after its commit) to the
 * start is reported too.
 *
 * <p>On PostgreSQL each sample is followed by a one-row insert and commit on a plain connection,
 * timed at the same pacing: an idle virtual machine's round trip is much slower than a busy one's,
 * and an execution cannot start sooner than two such commits after its submit began.
 *
 * <p>Push mode wakes the worker with PostgreSQL NOTIFY; poll mode ({@code [queue] listen=false})
 * relies on the poll interval alone. SQLite has no channel between processes, so it is measured
 * in poll mode only.
 */
final class LatencyScenario {
    private static final int CONCURRENCY = 16;

    private final BenchOptions options;
    private final BenchWorkflows workflows;
    private final Progress progress;

    LatencyScenario(BenchOptions options, BenchWorkflows workflows, Progress progress) {
        this.options = options;
        this.workflows = workflows;
        this.progress = progress;
    }

    List<ScenarioResult> run() throws InterruptedException {
        Map<String, FigureSet> sets = new LinkedHashMap<>();
        for (int r = 1; r <= options.repeats(); r++) {
            for (BenchTarget target : options.targets()) {
                for (boolean push : modes(target)) {
                    String mode = push ? "push" : "poll";
                    progress.say("latency %s %s run %d/%d", target.store(), mode, r, options.repeats());
                    runOnce(target, push, sets.computeIfAbsent(target.text() + "|" + mode, k -> new FigureSet()));
                }
            }
        }
        List<ScenarioResult> out = new ArrayList<>();
        for (BenchTarget target : options.targets()) {
            for (boolean push : modes(target)) {
                String mode = push ? "push" : "poll";
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("mode", mode);
                params.put("samples", options.latencySamples());
                params.put("concurrency", CONCURRENCY);
                params.put(
                        "poll_interval_ms",
                        options.base().worker().pollInterval().toMillis());
                FigureSet set = sets.get(target.text() + "|" + mode);
                if (!push && !target.postgres()) {
                    set.note("SQLite has no wake-up channel between processes: poll mode only");
                }
                out.add(set.result("latency", mode, target.store(), params));
            }
        }
        return out;
    }

    private static List<Boolean> modes(BenchTarget target) {
        return target.postgres() ? List.of(true, false) : List.of(false);
    }

    private void runOnce(BenchTarget target, boolean push, FigureSet set) throws InterruptedException {
        try (ScratchDatabase db = ScratchDatabase.create(target)) {
            CompletionProbe probe = new CompletionProbe(true);
            String workerId = "bench-" + ProcessHandle.current().pid();
            NebulaWorker worker = NebulaWorker.builder()
                    .config(RunConfig.of(CONCURRENCY, CONCURRENCY).listen(push).apply(options.base(), db, workerId))
                    .workerId(workerId)
                    .listener(probe)
                    .build();
            worker.store().migrate();
            worker.start();
            try (ExecutionStore clientStore = db.openStore("nebula-bench/client", false);
                    RoundTrip roundTrip = RoundTrip.open(db)) {
                WorkflowClient client = workflows.client(clientStore);
                awaitRunning(worker);
                int n = options.latencySamples();
                int warmUp = Math.max(3, Math.min(20, n / 10));
                double[] total = new double[n];
                double[] afterCommit = new double[n];
                double[] commits = new double[n];
                int timed = 0;
                int measured = 0;
                for (int i = -warmUp; i < n; i++) {
                    long t0 = System.nanoTime();
                    Submitted s = client.submit(workflows.single(), "{}", SubmitOptions.defaults());
                    long t1 = System.nanoTime();
                    if (!probe.awaitStart(Duration.ofSeconds(10))) {
                        set.note("an execution did not start within 10 s; the run is cut short");
                        break;
                    }
                    Long started = probe.startOf(s.executionId());
                    if (i >= 0 && started != null) {
                        total[measured] = (started - t0) / 1e6;
                        afterCommit[measured] = (started - t1) / 1e6;
                        measured++;
                    }
                    if (i >= 0 && roundTrip != null) {
                        commits[timed++] = roundTrip.timeOne();
                    }
                    Thread.sleep(ThreadLocalRandom.current().nextInt(2, 11));
                }
                record(set, Arrays.copyOf(total, measured), Arrays.copyOf(afterCommit, measured));
                if (timed > 0) {
                    double[] c = Arrays.copyOf(commits, timed);
                    set.add("commit_round_trip_p50_ms", Spread.percentile(c, 50));
                    set.add("commit_round_trip_p99_ms", Spread.percentile(c, 99));
                }
            } finally {
                worker.worker().stop(Duration.ofSeconds(5));
            }
        }
    }

    private static void record(FigureSet set, double[] total, double[] afterCommit) {
        if (total.length == 0) {
            return;
        }
        set.add("p50_ms", Spread.percentile(total, 50));
        set.add("p95_ms", Spread.percentile(total, 95));
        set.add("p99_ms", Spread.percentile(total, 99));
        set.add("max_ms", Spread.percentile(total, 100));
        set.add("commit_to_start_p50_ms", Spread.percentile(afterCommit, 50));
        set.add("commit_to_start_p99_ms", Spread.percentile(afterCommit, 99));
    }

    /**
     * The database's own latency at the same pacing: a one-row insert committed on a plain
     * autocommit connection, timed right after each sample's start (the worker may still be writing
     * that execution's completion). A submit's commit takes at least as long, and an execution
     * cannot start sooner than two such commits after its submit began (the submit's and the
     * claim's), so they are the floor the latency is read against. PostgreSQL only; {@code null}
     * for SQLite.
     */
    private record RoundTrip(Connection connection, PreparedStatement insert) implements AutoCloseable {
        static RoundTrip open(ScratchDatabase db) {
            if (!db.target().postgres()) {
                return null;
            }
            Connection c = null;
            try {
                c = db.connection("nebula-bench/round-trip");
                try (Statement st = c.createStatement()) {
                    st.execute(BenchSql.text("postgres", "round_trip_setup"));
                }
                return new RoundTrip(c, c.prepareStatement(BenchSql.text("postgres", "round_trip_insert")));
            } catch (SQLException e) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (SQLException closing) {
                        e.addSuppressed(closing);
                    }
                }
                throw new IllegalStateException("cannot prepare the round-trip yardstick: " + e.getMessage(), e);
            }
        }

        /** Milliseconds one insert and its commit took. */
        double timeOne() {
            long t0 = System.nanoTime();
            try {
                insert.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("round-trip yardstick insert failed: " + e.getMessage(), e);
            }
            return (System.nanoTime() - t0) / 1e6;
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot close the round-trip connection: " + e.getMessage(), e);
            }
        }
    }

    /** Waits until the worker is running (its first poll done), so the first sample is not start-up. */
    private static void awaitRunning(NebulaWorker worker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!worker.worker().readiness().snapshot().ready() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
