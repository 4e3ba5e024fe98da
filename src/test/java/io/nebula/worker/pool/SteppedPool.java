package io.nebula.worker.pool;

import io.nebula.worker.observe.AttemptOutcome;
import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.Tracing;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.InMemoryLeaseStore;
import io.nebula.worker.queue.LeaseStore;
import io.nebula.worker.queue.RescueResult;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import io.nebula.worker.testing.ScriptedRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A pool's parts on a real SQLite file and a {@link ManualPoolClock}, with no threads of their own:
 * the result publisher has no flusher and no loop is started, so a test steps each part itself.
 * Database failures are real: {@link #faultOn} installs triggers that make SQLite abort writes to a
 * table until {@link #faultOff}.
 *
 * <p>{@link #inMemory} puts the hot path (claims, heartbeats, checkpoints, completions) on an
 * {@link InMemoryLeaseStore} instead, whose clock the test moves too, so leases expire in the store
 * without waiting; the SQLite file then serves only the definitions.
 */
final class SteppedPool implements AutoCloseable {
    static final WorkflowDocument WF = new WorkflowDocument("wf-hash", "scripted", "{}");

    final Path file;
    final ManualPoolClock clock = new ManualPoolClock();
    final ExecutionStore store;
    /** The hot path's store: {@link #store}, or the in-memory one. */
    final LeaseStore leases;
    /** The in-memory store's clock ({@code null} on SQLite). */
    final io.nebula.worker.queue.ManualClock storeClock;

    final ScriptedRunner runner = new ScriptedRunner();
    final Readiness readiness = new Readiness();
    final Wakeup wakeup = new Wakeup();
    final Events events = new Events();
    final PoolContext ctx;

    SteppedPool(Path dir, PoolOptions options) {
        this(dir, options, null);
    }

    /** The hot path on an {@link InMemoryLeaseStore} with a clock of its own. */
    static SteppedPool inMemory(Path dir, PoolOptions options) {
        return new SteppedPool(
                dir, options, new io.nebula.worker.queue.ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
    }

    private SteppedPool(Path dir, PoolOptions options, io.nebula.worker.queue.ManualClock storeClock) {
        this.file = dir.resolve("q.db");
        this.store = SqliteExecutionStore.open(file, StoreOptions.defaults("test-" + options.workerId()));
        store.migrate();
        store.workflowPut(WF);
        this.storeClock = storeClock;
        this.leases = storeClock == null ? store.leases() : new InMemoryLeaseStore(storeClock);
        InFlight inFlight = new InFlight();
        this.ctx = new PoolContext(
                options,
                store,
                leases,
                store.maintenance(),
                runner,
                events,
                Tracing.OFF,
                new Slots(options.concurrency()),
                inFlight,
                new ResultPublisher(leases, id -> inFlight.mayStillHoldLease(id, clock.nanoTime()), 0, clock),
                new KeyScopes(store),
                clock);
    }

    PoolOptions options() {
        return ctx.options();
    }

    List<Long> submit(int n, String inputJson) {
        List<SubmitRequest> rs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rs.add(SubmitRequest.now("default", WF.hash(), WF.name(), inputJson, 3));
        }
        if (leases instanceof InMemoryLeaseStore m) {
            return rs.stream().map(m::submit).toList();
        }
        return store.executionSubmitMany(rs).stream()
                .map(Submitted::executionId)
                .toList();
    }

    /** Claims as worker {@code owner} straight through the hot path's store, outside any pool. */
    List<ClaimedExecution> claimAs(String owner, int n, Duration visibility) {
        return leases.executionClaim(new ClaimRequest(owner, List.of("default"), n, visibility));
    }

    /**
     * Claims up to {@code n} executions as this pool and holds them as the claim loop does (a slot
     * each, in flight, the local deadline one visibility timeout from now), without running them.
     */
    List<Running> hold(int n) {
        long now = clock.nanoTime();
        List<Running> held = new ArrayList<>();
        int taken = ctx.slots().take(n);
        for (ClaimedExecution c : claimAs(options().workerId(), taken, options().visibilityTimeout())) {
            Running r = new Running(c, now + options().visibilityTimeout().toNanos(), now);
            ctx.inFlight().add(r);
            held.add(r);
        }
        ctx.slots().give(taken - held.size());
        return held;
    }

    ExecutionView view(long id) {
        return (leases instanceof InMemoryLeaseStore m ? m.executionGet(id) : store.executionGet(id)).orElseThrow();
    }

    ExecutionState state(long id) {
        return view(id).state();
    }

    /** Makes SQLite abort every insert into and update of {@code table} from now on. */
    /** This pool's context with {@code store} and {@code leases} in place of its own. */
    PoolContext ctxWith(ExecutionStore store, LeaseStore leases) {
        return new PoolContext(
                ctx.options(),
                store,
                leases,
                ctx.maintenance(),
                ctx.runner(),
                ctx.listener(),
                ctx.tracing(),
                ctx.slots(),
                ctx.inFlight(),
                ctx.publisher(),
                ctx.keyScopes(),
                ctx.clock());
    }

    void faultOn(String table) {
        sql(
                "CREATE TRIGGER IF NOT EXISTS fault_" + table + "_insert BEFORE INSERT ON " + table
                        + " BEGIN SELECT RAISE(ABORT, 'injected fault on " + table + "'); END",
                "CREATE TRIGGER IF NOT EXISTS fault_" + table + "_update BEFORE UPDATE ON " + table
                        + " BEGIN SELECT RAISE(ABORT, 'injected fault on " + table + "'); END");
    }

    void faultOff(String table) {
        sql("DROP TRIGGER IF EXISTS fault_" + table + "_insert", "DROP TRIGGER IF EXISTS fault_" + table + "_update");
    }

    /** Runs statements on the SQLite file through a connection of their own. */
    void sql(String... statements) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 15000");
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        runner.release.countDown();
        store.close();
    }

    /** What the pool told its listener, in order. */
    static final class Events implements WorkerListener {
        final List<String> all = new CopyOnWriteArrayList<>();

        @Override
        public void claimed(int requested, int received) {
            all.add("claimed " + requested + " got " + received);
        }

        @Override
        public void executionEnded(ExecutionEvent e, AttemptOutcome outcome, Duration took, String error) {
            all.add("ended " + e.executionId() + " " + outcome);
        }

        @Override
        public void leaseLost(ExecutionEvent e) {
            all.add("lease lost " + e.executionId());
        }

        @Override
        public void heartbeat(boolean ok, int leases, Duration took) {
            all.add("heartbeat " + (ok ? "ok" : "failed") + " leases=" + leases);
        }

        @Override
        public void rescued(RescueResult result) {
            all.add("rescued " + result.total());
        }

        @Override
        public void pruned(int count) {
            all.add("pruned " + count);
        }

        @Override
        public void queueLimits(java.util.Map<String, Integer> limits) {
            all.add("limits " + new java.util.TreeMap<>(limits));
        }

        @Override
        public void leadership(boolean leader) {
            all.add(leader ? "leadership gained" : "leadership lost");
        }

        List<String> matching(String prefix) {
            return all.stream().filter(s -> s.startsWith(prefix)).toList();
        }
    }
}
