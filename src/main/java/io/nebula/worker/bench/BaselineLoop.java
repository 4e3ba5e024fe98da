package io.nebula.worker.bench;

import java.lang.management.ManagementFactory;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The yardstick every PostgreSQL figure is read against: the bare SKIP LOCKED queue loop, on the
 * same database in the same minute. One table with two partial indexes; {@code n} jobs inserted
 * before the clock starts; four platform threads, each on its own autocommit connection with
 * prepared statements, claim up to 100 due jobs in one statement and complete each claimed batch
 * in one more, until the queue is empty. It is what a queue costs with nothing but a claim and a
 * completion, so the drain's ratio to it says how much of the database's capacity the worker
 * turns into executions, whatever the machine.
 */
final class BaselineLoop {
    static final int THREADS = 4;
    private static final String APPLICATION = "nebula-bench/baseline";

    /**
     * One run's figures.
     *
     * @param jobsPerSecond jobs completed per second, first claim to last completion
     * @param workerCpuMicros this process's CPU per job (every thread, as for the drain)
     * @param postgresCpuMicros the local server's CPU per job, or NaN when it cannot be read
     * @param workerCpuWithoutJitMicros {@code workerCpuMicros} less the JIT compiler threads' CPU
     *     (see {@link CompilerCpu}), or NaN when it cannot be read
     */
    record Figures(
            double jobsPerSecond, double workerCpuMicros, double postgresCpuMicros, double workerCpuWithoutJitMicros) {}

    private BaselineLoop() {}

    static Figures run(ScratchDatabase db, int n) throws InterruptedException {
        try (Connection setup = db.connection()) {
            db.createSchema(setup);
            try (var st = setup.createStatement()) {
                st.execute(BenchSql.text("postgres", "baseline_setup"));
            }
            try (PreparedStatement fill = setup.prepareStatement(BenchSql.text("postgres", "baseline_fill"))) {
                fill.setInt(1, n);
                fill.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("baseline set-up failed: " + e.getMessage(), e);
        }
        List<Connection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < THREADS; i++) {
                connections.add(db.connection(APPLICATION));
            }
            return timed(connections, n, LocalPostgresCpu.measurable(db.target()));
        } catch (SQLException e) {
            throw new IllegalStateException("baseline run failed: " + e.getMessage(), e);
        } finally {
            for (Connection c : connections) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // closing a scratch connection: nothing to do
                }
            }
        }
    }

    private static Figures timed(List<Connection> connections, int n, boolean pgCpu) throws InterruptedException {
        String claimSql = BenchSql.text("postgres", "baseline_claim");
        String completeSql = BenchSql.text("postgres", "baseline_complete");
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(connections.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections.size(); i++) {
            Connection c = connections.get(i);
            String name = "baseline-" + i;
            threads.add(Thread.ofPlatform().name(name).start(() -> {
                try (PreparedStatement claim = c.prepareStatement(claimSql);
                        PreparedStatement complete = c.prepareStatement(completeSql)) {
                    c.setAutoCommit(true);
                    claim.setString(1, name);
                    complete.setString(2, name);
                    ready.countDown();
                    go.await();
                    List<Long> ids = new ArrayList<>(100);
                    while (true) {
                        ids.clear();
                        try (ResultSet rs = claim.executeQuery()) {
                            while (rs.next()) {
                                ids.add(rs.getLong(1));
                                rs.getString(2);
                            }
                        }
                        if (ids.isEmpty()) {
                            return;
                        }
                        Array array = c.createArrayOf("bigint", ids.toArray());
                        complete.setArray(1, array);
                        done.addAndGet(complete.executeUpdate());
                        array.free();
                    }
                } catch (SQLException | InterruptedException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                    ready.countDown();
                }
            }));
        }
        ready.await();
        Map<Long, Long> pg0 = pgCpu ? LocalPostgresCpu.snapshot() : Map.of();
        long cpu0 = processCpuNanos();
        Map<Long, Long> jit0 = CompilerCpu.snapshot();
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - t0;
        Map<Long, Long> jit1 = CompilerCpu.snapshot();
        long cpu1 = processCpuNanos();
        Map<Long, Long> pg1 = pgCpu ? LocalPostgresCpu.snapshot() : Map.of();
        Set<Long> pids = Set.of();
        if (pgCpu) {
            try {
                pids = LocalPostgresCpu.ours(connections.get(0), APPLICATION);
            } catch (SQLException e) {
                pgCpu = false;
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "baseline loop failed: " + failure.get().getMessage(), failure.get());
        }
        if (done.get() != n) {
            throw new IllegalStateException("baseline loop completed " + done.get() + " of " + n + " jobs");
        }
        return new Figures(
                n / (elapsed / 1e9),
                cpu0 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e3 / n,
                pgCpu ? ProcTicks.microsBetween(pg0, pg1, pids) / n : Double.NaN,
                CompilerCpu.microsWithout(cpu0, cpu1, jit0, jit1, n));
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean sun
                ? sun.getProcessCpuTime()
                : -1;
    }
}
