package io.nebula.worker.pool;

import io.nebula.worker.config.WorkerIds;
import io.nebula.worker.observe.Tracing;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.WorkerInfo;
import io.nebula.worker.runtime.ExecutionRunner;
import io.nebula.worker.schedule.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A worker process's pool: claims executions from the store, runs each through the runtime on its
 * own virtual thread, heartbeats their leases, publishes results, and takes part in maintenance.
 * Build one with {@link #builder()}, {@link #start()} it, and {@link #stop()} it; embedding
 * applications do exactly what the command line does.
 *
 * <p>Shutdown is ordered: readiness turns false and claiming stops at
 * once; running executions get up to the shutdown timeout to finish; the rest are interrupted and
 * released back to the queue without spending an attempt, keeping their checkpoints; results are
 * flushed; the registry row and leader lease are given up; connections close.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final PoolOptions options;
    private final ExecutionStore store;
    private final boolean ownsStore;
    private final boolean autoMigrate;
    private final String version;
    private final PoolClock clock;
    private final Readiness readiness = new Readiness();
    private final PoolContext ctx;
    private final Wakeup wakeup = new Wakeup();
    private final List<ClaimLoop> claimLoops = new ArrayList<>();
    private final Heartbeater heartbeater;
    private final Maintainer maintainer;
    private final HealthCheck healthCheck;
    private final Scheduler scheduler;
    /** Added to by the start-up thread while a stop or the health server may read it. */
    private final List<Periodic> periodics = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final CountDownLatch shorten = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile AutoCloseable wakeups;
    private volatile Thread starter;
    /** How long a stop waits for a fresh connection before it takes the database for gone. */
    private static final Duration PROBE_PATIENCE = Duration.ofMillis(400);

    private volatile boolean stopping;
    /** Whether this worker registered (so it has a registry row and may hold the leader lease). */
    private volatile boolean registered;
    /** Executions the last stop could not release, the database not answering; 0 otherwise. */
    private volatile int unreleased;

    private final CompletableFuture<Void> startup = new CompletableFuture<>();

    private Worker(Builder b) {
        this.options = Objects.requireNonNull(b.options, "options");
        this.store = Objects.requireNonNull(b.store, "store");
        this.ownsStore = b.ownsStore;
        this.autoMigrate = b.autoMigrate;
        this.version = b.version;
        this.clock = b.clock;
        InFlight inFlight = new InFlight();
        ResultPublisher publisher = new ResultPublisher(
                store.leases(),
                id -> inFlight.mayStillHoldLease(id, clock.nanoTime()),
                writers(options.concurrency()),
                clock);
        this.ctx = new PoolContext(
                options,
                store,
                store.leases(),
                store.maintenance(),
                Objects.requireNonNull(b.runner, "runner"),
                b.listener,
                b.tracing,
                new Slots(options.concurrency()),
                inFlight,
                publisher,
                new KeyScopes(store),
                clock);
        for (int i = 0; i < claimLoops(options.concurrency()); i++) {
            claimLoops.add(new ClaimLoop(ctx, wakeup, readiness, i));
        }
        this.heartbeater = new Heartbeater(ctx, readiness);
        this.maintainer = new Maintainer(
                ctx, wakeup, SubWorkflows.cancelsChildrenOfEnded(ctx), SubWorkflows.cancelsChildrenOfFailed(ctx));
        this.healthCheck = new HealthCheck(ctx, readiness);
        this.scheduler = new Scheduler(store, b.listener, b.tracing);
    }

    /**
     * How many claim loops run side by side: one for a small pool, two from a concurrency of 64,
     * so one claim's round trip overlaps the next. More gained nothing on two cores (each claims
     * smaller batches, and their commits compete for the same CPU); see docs/PERFORMANCE.md.
     */
    static int claimLoops(int concurrency) {
        return Math.max(1, Math.min(2, concurrency / 64 + 1));
    }

    /**
     * How many threads write results. One keeps batches large: while it writes, the next batch
     * accumulates, so the database does the fewest statements and commits per execution (the
     * best rate and the least database CPU per execution in the drain and DAG benchmarks up to a
     * concurrency of 256). Very large pools get a second, so their checkpoints do not queue behind
     * one statement in flight.
     */
    static int writers(int concurrency) {
        return concurrency >= 512 ? 2 : 1;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the worker and returns at once. If the database is unreachable the worker keeps
     * trying in the background; readiness says why it is not ready meanwhile. If the database is
     * wrong in a way waiting cannot cure (no such database, refused credentials, unknown host) it
     * stops trying: {@link #startup()} then fails with that {@link StoreException}.
     */
    public synchronized void start() {
        if (starter != null) {
            throw new IllegalStateException("worker already started");
        }
        starter = Thread.ofVirtual().name("nebula-start").start(this::startUp);
    }

    /**
     * Completes once the worker runs (or was stopped before it did); fails with the store's
     * exception when the database is permanently wrong at start ({@link StoreException#permanent}).
     */
    public CompletableFuture<Void> startup() {
        return startup;
    }

    private void startUp() {
        MDC.put("worker_id", options.workerId());
        long backoff = 200;
        while (!stopping) {
            try {
                store.probe();
                if (autoMigrate) {
                    store.migrate();
                }
                ExecutionStore.SchemaStatus s = store.schemaStatus();
                readiness.schema(s.upToDate(), s.mismatch());
                if (s.currentVersion() > s.expectedVersion()) {
                    // A newer build migrated it, as in a rolling upgrade or a rollback: this worker
                    // runs as the older builds beside it do, registered so that the newer ones see
                    // what it reads (a checkpoint form it does not know is then not written).
                    log.warn("{}; this worker runs executions as an older build does", s.mismatch());
                }
                if (s.currentVersion() >= s.expectedVersion()) {
                    // The registration says what this build reads (see worker_register.sql), which
                    // an older schema has no column for; readiness says why it is missing.
                    store.workerRegister(info());
                    registered = true;
                    ctx.keyScopes().prime();
                }
                break;
            } catch (StoreException e) {
                readiness.databaseFailed(e);
                if (e.permanent()) {
                    log.error("cannot start: {}", e.getMessage());
                    startup.completeExceptionally(e);
                    return;
                }
                if (stopping) {
                    break;
                }
                log.warn("cannot use the database yet, retrying in {} ms: {}", backoff, e.getMessage());
                try {
                    clock.sleep(Duration.ofMillis(backoff));
                } catch (InterruptedException ie) {
                    startup.complete(null);
                    return;
                }
                backoff = Math.min(5_000, backoff * 2);
            }
        }
        if (stopping) {
            startup.complete(null);
            return;
        }
        ctx.publisher().start();
        try {
            wakeups = store.wakeupSubscribe(options.queues(), wakeup::signal);
        } catch (RuntimeException e) {
            log.warn("wake-ups unavailable, polling only: {}", e.getMessage());
        }
        periodics.add(new Periodic("heartbeat", heartbeater::tick, heartbeater, clock));
        // The local lease deadlines are watched on a thread of their own too: a heartbeat call that
        // hangs (a connection wait, a stalled statement) must not hold back stopping the
        // executions whose leases run out meanwhile.
        periodics.add(new Periodic(
                "lease-watch",
                heartbeater::tick,
                () -> {
                    clock.catchUp();
                    heartbeater.expireOverdue(clock.nanoTime());
                },
                clock));
        periodics.add(new Periodic("maintenance", maintainer::interval, maintainer, clock));
        periodics.add(new Periodic("health-check", options::checkInterval, healthCheck, clock));
        periodics.add(new Periodic(
                "scheduler",
                () -> Scheduler.INTERVAL,
                () -> {
                    // A schema from before schedules existed has no table to read; readiness says why.
                    if (readiness.snapshot().schemaReady()) {
                        scheduler.runOnce();
                    }
                },
                clock));
        periodics.forEach(Periodic::start);
        if (stopping) {
            // A stop that came while they were being added may not have seen them all.
            periodics.forEach(p -> p.stop(Duration.ZERO));
            startup.complete(null);
            return;
        }
        claimLoops.forEach(ClaimLoop::start);
        readiness.phase(Readiness.Phase.RUNNING);
        startup.complete(null);
        log.info(
                "worker started pool_id={} concurrency={} queues={} store={}",
                options.poolId(),
                options.concurrency(),
                options.queues(),
                store.dialect());
    }

    private WorkerInfo info() {
        return new WorkerInfo(
                options.workerId(),
                options.poolId(),
                WorkerIds.hostName(),
                ProcessHandle.current().pid(),
                options.concurrency(),
                options.queues(),
                version,
                null,
                null,
                0);
    }

    /** Stops gracefully within the configured shutdown timeout. */
    public void stop() {
        stop(options.shutdownTimeout());
    }

    /**
     * How many running executions the stop left to their leases: they were stopped, but their
     * release could not be written (the database did not answer) or had not been within 15 s of the
     * grace period's end; 0 after a clean stop.
     */
    public int unreleasedAtStop() {
        return unreleased;
    }

    /** Makes a stop in progress skip the rest of its grace period (a second signal). */
    public void shortenShutdown() {
        shorten.countDown();
    }

    /**
     * Stops gracefully: no new claims; running executions get {@code grace} to finish, then are
     * released back to the queue with their checkpoints and attempt intact. Returns when done.
     */
    public void stop(Duration grace) {
        synchronized (this) {
            if (stopping) {
                awaitStopped();
                return;
            }
            stopping = true;
        }
        long t0 = clock.nanoTime();
        // Not ready from the first moment, before the probe below takes its time.
        readiness.phase(Readiness.Phase.STOPPING);
        // A database that stopped answering cannot finish the calls the loops wait in: they are
        // interrupted at once instead of being waited for (up to their timeouts).
        boolean unreachable = databaseGone();
        claimLoops.forEach(unreachable ? ClaimLoop::stopNow : ClaimLoop::stop);
        Thread s = starter;
        if (s != null) {
            s.interrupt();
        }
        try {
            // A claim in flight may finish (its executions then run); one waiting on a database
            // found unreachable meanwhile is interrupted instead.
            long loopsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (ClaimLoop c : claimLoops) {
                while (!c.awaitStopped(Duration.ofMillis(50)) && System.nanoTime() < loopsDeadline) {
                    if (!unreachable && databaseGone()) {
                        unreachable = true;
                        claimLoops.forEach(ClaimLoop::stopNow);
                    }
                }
            }
            int active = ctx.inFlight().size();
            if (active > 0 && !unreachable) {
                log.info("waiting up to {} s for {} running executions", grace.toSeconds(), active);
            }
            // No outcome can be written while the database does not answer, so the grace period
            // ends as soon as the database is found unreachable, at the signal or while waiting.
            long deadline = clock.nanoTime() + (unreachable ? 0 : grace.toNanos());
            Outage outage = new Outage();
            while (!ctx.slots().awaitAllFree(50, TimeUnit.MILLISECONDS)) {
                if (clock.nanoTime() >= deadline || shorten.getCount() == 0) {
                    break;
                }
                if (outage.lasting()) {
                    unreachable = true;
                    break;
                }
            }
            int left = ctx.inFlight().size();
            if (left > 0 && unreachable) {
                // Their releases could not be written: they come back when their leases expire.
                unreleased = left;
                log.warn(
                        "stopping {} running executions without releasing them: the database is unreachable;"
                                + " they return to the queue when their leases expire (within {} s), rescued as"
                                + " after a crash (the attempt counts; one on its last attempt fails)",
                        left,
                        options.visibilityTimeout().toSeconds());
                for (Running r : ctx.inFlight().all()) {
                    r.requestStop(StopReason.SHUTDOWN);
                }
            } else if (left > 0) {
                log.info("releasing {} unfinished executions back to the queue", left);
                for (Running r : ctx.inFlight().all()) {
                    r.requestStop(StopReason.SHUTDOWN);
                }
                long releaseDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                Outage releaseOutage = new Outage();
                while (!ctx.slots().awaitAllFree(50, TimeUnit.MILLISECONDS)) {
                    if (System.nanoTime() >= releaseDeadline) {
                        // An action that ignores its interrupt, or a release the database is slow
                        // to take: those left are not released by this stop.
                        unreleased = ctx.inFlight().size();
                        log.warn(
                                "{} executions were still not released after 15 s; they return to the queue"
                                        + " when their leases expire (within {} s)",
                                unreleased,
                                options.visibilityTimeout().toSeconds());
                        break;
                    }
                    if (releaseOutage.lasting()) {
                        unreachable = true;
                        unreleased = ctx.inFlight().size();
                        log.warn(
                                "the database stopped answering while {} executions were being released;"
                                        + " they return to the queue when their leases expire (within {} s)",
                                unreleased,
                                options.visibilityTimeout().toSeconds());
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Duration patience = unreachable ? Duration.ZERO : Duration.ofSeconds(5);
        periodics.forEach(p -> p.stop(patience));
        ctx.publisher().close(unreachable ? Duration.ofMillis(200) : Duration.ofSeconds(10));
        closeQuietly(wakeups);
        // Goodbyes to the database only when there is someone to say them to: a worker that never
        // registered holds no lease and no registry row, and one whose database stopped answering
        // would wait a connection timeout per call (the lease expires and the row ages out anyway).
        if (registered && readiness.snapshot().databaseReachable()) {
            maintainer.resign();
            try {
                store.workerDeregister(options.workerId());
            } catch (RuntimeException e) {
                log.debug("could not deregister: {}", e.getMessage());
            }
        }
        if (ownsStore) {
            store.close();
        }
        readiness.phase(Readiness.Phase.STOPPED);
        stopped.countDown();
        log.info(
                "worker stopped after {} ms",
                Duration.ofNanos(clock.nanoTime() - t0).toMillis());
    }

    /**
     * Whether the database has been found unreachable for half a second on end, while a stop waits:
     * one failed call (a dropped connection that the next one replaces) is not an outage.
     */
    private final class Outage {
        private long since = -1;

        boolean lasting() {
            if (readiness.snapshot().databaseReachable()) {
                since = -1;
                return false;
            }
            long now = System.nanoTime();
            if (since < 0) {
                since = now;
            }
            if (now - since < TimeUnit.MILLISECONDS.toNanos(500)) {
                return false;
            }
            since = -1;
            return databaseGone();
        }
    }

    /**
     * Whether the database does not answer now. Readiness turns false on one failed call and is
     * set again only by the next check, so a stop confirms it: a fresh connection that opens
     * within {@link #PROBE_PATIENCE} means the database answers (and readiness says so again).
     */
    private boolean databaseGone() {
        if (readiness.snapshot().databaseReachable()) {
            return false;
        }
        CompletableFuture<Void> answered = new CompletableFuture<>();
        Thread.ofVirtual().name("nebula-stop-probe").start(() -> {
            try {
                store.probe();
                answered.complete(null);
            } catch (RuntimeException e) {
                answered.completeExceptionally(e);
            }
        });
        try {
            answered.get(PROBE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            readiness.databaseAnswered();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // shutting down anyway
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ---- observation ----------------------------------------------------------------------------

    public Readiness readiness() {
        return readiness;
    }

    public PoolOptions options() {
        return options;
    }

    public String workerId() {
        return options.workerId();
    }

    public int activeJobs() {
        return ctx.inFlight().size();
    }

    public int concurrency() {
        return options.concurrency();
    }

    public boolean isLeader() {
        return maintainer.isLeader();
    }

    /** The latest queue statistics (refreshed every check interval). */
    public List<QueueStats> queueStats() {
        return healthCheck.lastStats();
    }

    /** Whether the wake-up channel is connected (always true for in-process wake-ups). */
    public boolean wakeupsConnected() {
        return wakeups != null && store.wakeupConnected();
    }

    /**
     * Whether the worker's background loops are alive: each ticked within a few of its periods.
     * Does not touch the database.
     */
    public boolean loopsTicking() {
        long now = clock.runningNanos();
        // Generous: a loop may legitimately wait a poll interval, a check interval, or a database
        // call bounded by the connect and socket timeouts.
        long allowed = Duration.ofSeconds(120).toNanos()
                + Math.max(
                                options.checkInterval().toNanos(),
                                options.pollInterval().toNanos())
                        * 3;
        for (Periodic p : periodics) {
            if (now - p.lastTickNanos() > allowed) {
                return false;
            }
        }
        if (readiness.snapshot().phase() == Readiness.Phase.RUNNING) {
            for (ClaimLoop c : claimLoops) {
                if (now - c.lastTurnNanos() > allowed) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Runs maintenance once now (tests, operators). */
    public void maintainNow() {
        maintainer.runOnce();
    }

    /** Fires the schedules due now (tests, the demo); returns how many executions it created. */
    public int fireSchedulesNow() {
        return scheduler.runOnce();
    }

    /** Sends a heartbeat now (tests). */
    public void heartbeatNow() {
        heartbeater.beat();
    }

    /** Refreshes readiness and queue statistics now; the statistics are read after this call began. */
    public void checkNow() {
        try {
            healthCheck.runFresh();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Wakes the claim loop (as a NOTIFY would). */
    public void wake() {
        wakeup.signal();
    }

    /** Builds a {@link Worker}. */
    public static final class Builder {
        private PoolOptions options;
        private ExecutionStore store;
        private ExecutionRunner runner;
        private WorkerListener listener = WorkerListener.NONE;
        private Tracing tracing = Tracing.OFF;
        private boolean ownsStore;
        private boolean autoMigrate = true;
        private String version = "0.1.0";
        private PoolClock clock = PoolClock.SYSTEM;

        public Builder options(PoolOptions o) {
            this.options = o;
            return this;
        }

        /** The store to use; {@code owns} closes it when the worker stops. */
        public Builder store(ExecutionStore s, boolean owns) {
            this.store = s;
            this.ownsStore = owns;
            return this;
        }

        public Builder runner(ExecutionRunner r) {
            this.runner = r;
            return this;
        }

        public Builder listener(WorkerListener l) {
            this.listener = Objects.requireNonNull(l);
            return this;
        }

        /** The OpenTelemetry traces of the attempts ({@link Tracing#OFF} by default); not closed here. */
        public Builder tracing(Tracing t) {
            this.tracing = Objects.requireNonNull(t);
            return this;
        }

        /** Whether to apply missing migrations at start (default true). */
        public Builder autoMigrate(boolean b) {
            this.autoMigrate = b;
            return this;
        }

        /** The pool's time source ({@link PoolClock#SYSTEM} by default); tests pass one they advance. */
        Builder clock(PoolClock c) {
            this.clock = Objects.requireNonNull(c);
            return this;
        }

        public Builder version(String v) {
            this.version = v;
            return this;
        }

        public Worker build() {
            return new Worker(this);
        }
    }
}
