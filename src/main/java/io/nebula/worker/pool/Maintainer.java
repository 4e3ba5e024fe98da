package io.nebula.worker.pool;

import io.nebula.worker.queue.MaintenanceStore;
import io.nebula.worker.queue.RescueResult;
import io.nebula.worker.queue.StoreException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance that exactly one process does at a time: the holder of the "maintenance" leader
 * lease (a row on the database clock, renewed each run, given up on stop, taken over when it
 * expires). The leader rescues expired leases (quarantining executions whose workers keep dying)
 * and prunes finished executions past the retention, both fenced by the lease in the database. It
 * also walks the executions that failed, in the order they finished, and hands each to a sweep
 * that cancels the children a failed parent left unfinished (the worker that wrote a failure does
 * that at once; the sweep catches what a crash or an early failure left). The walk runs on a
 * thread of its own, so a long one never delays the renewal of the leader lease.
 */
final class Maintainer implements Periodic.Service {
    private static final Logger log = LoggerFactory.getLogger(Maintainer.class);
    static final String LEASE = "maintenance";
    private static final int RESCUE_BATCH = 1_000;
    private static final int PRUNE_BATCH = 5_000;
    private static final int PRUNE_ROUND_BATCHES = 20;
    private static final Duration PRUNE_EVERY = Duration.ofSeconds(60);
    private static final int SWEEP_BATCH = 500;
    /** How far back a new leader's walk of failures starts. */
    static final Duration SWEEP_LOOKBACK = Duration.ofHours(1);
    /** How long after a failure the walk reaches it: the writer's own cancel has run by then. */
    static final Duration SWEEP_SETTLE = Duration.ofSeconds(30);
    /** Tries of one failed execution before the walk logs it and goes past it. */
    private static final int SWEEP_TRIES = 3;

    private final PoolContext ctx;
    private final Wakeup wakeup;
    private final int pruneBatch;
    private final int pruneRoundBatches;
    private final Consumer<List<Long>> ended;
    private final Consumer<MaintenanceStore.FailedExecution> failed;
    private final Duration sweepSettle;
    private volatile boolean leader;
    private long lastPruneNanos;
    /** Counts the terms of leadership this process had; a walk belongs to one term. */
    private volatile long term;
    /** The walk of failures in progress, if any. */
    private Thread walker;
    /** The last failed execution the walk handled, in term {@link #sweptTerm}. */
    private volatile MaintenanceStore.FailedExecution swept;

    private volatile long sweptTerm = -1;
    /** The failed execution the sweep could not handle, and how many times in a row. */
    private long sweepFailedId;

    private int sweepFailures;

    /**
     * @param ended told the executions a rescue failed, quarantined or cancelled (their children
     *     are cancelled there: {@link SubWorkflows#cancelsChildrenOfEnded}); it must not block
     * @param failed given each execution that failed, once per term of leadership, about {@link
     *     #SWEEP_SETTLE} after it failed ({@link SubWorkflows#cancelsChildrenOfFailed}); it throws
     *     when the store fails, and is then given the same execution again
     */
    Maintainer(
            PoolContext ctx,
            Wakeup wakeup,
            Consumer<List<Long>> ended,
            Consumer<MaintenanceStore.FailedExecution> failed) {
        this(ctx, wakeup, ended, failed, SWEEP_SETTLE, PRUNE_BATCH, PRUNE_ROUND_BATCHES);
    }

    /** Without a sweep of failures, for tests. */
    Maintainer(PoolContext ctx, Wakeup wakeup, Consumer<List<Long>> ended) {
        this(ctx, wakeup, ended, f -> {});
    }

    /** With the sweep reaching failures {@code sweepSettle} after they happened, for tests. */
    Maintainer(
            PoolContext ctx, Wakeup wakeup, Consumer<MaintenanceStore.FailedExecution> failed, Duration sweepSettle) {
        this(ctx, wakeup, ids -> {}, failed, sweepSettle, PRUNE_BATCH, PRUNE_ROUND_BATCHES);
    }

    /** With smaller prune batches and rounds, for tests. */
    Maintainer(PoolContext ctx, Wakeup wakeup, int pruneBatch, int pruneRoundBatches) {
        this(ctx, wakeup, ids -> {}, f -> {}, SWEEP_SETTLE, pruneBatch, pruneRoundBatches);
    }

    private Maintainer(
            PoolContext ctx,
            Wakeup wakeup,
            Consumer<List<Long>> ended,
            Consumer<MaintenanceStore.FailedExecution> failed,
            Duration sweepSettle,
            int pruneBatch,
            int pruneRoundBatches) {
        this.ctx = ctx;
        this.wakeup = wakeup;
        this.ended = ended;
        this.failed = failed;
        this.sweepSettle = sweepSettle;
        this.pruneBatch = pruneBatch;
        this.pruneRoundBatches = pruneRoundBatches;
        this.lastPruneNanos = ctx.clock().nanoTime() - PRUNE_EVERY.toNanos();
    }

    boolean isLeader() {
        return leader;
    }

    Duration interval() {
        return ctx.options().maintenanceInterval();
    }

    @Override
    public void runOnce() {
        Duration ttl = interval().multipliedBy(3).plusSeconds(1);
        boolean now;
        try {
            now = ctx.maintenance().leaderAttemptElect(LEASE, ctx.options().workerId(), ttl);
        } catch (RuntimeException e) {
            // Unconfirmed, the term may have passed to another worker: not the leader until the
            // next election says so (what the leader does is fenced by the lease anyway).
            if (leader) {
                leader = false;
                log.info("no longer maintenance leader: the election could not be held: {}", e.getMessage());
                ctx.listener().leadership(false);
            }
            throw e;
        }
        if (now != leader) {
            leader = now;
            // A new term walks the failures again from the lookback: the previous leader's walk
            // may have stopped anywhere.
            term++;
            log.info(now ? "became maintenance leader" : "no longer maintenance leader");
            ctx.listener().leadership(now);
        }
        if (!leader) {
            return;
        }
        rescue();
        startWalk();
        long nowNanos = ctx.clock().nanoTime();
        if (nowNanos - lastPruneNanos >= PRUNE_EVERY.toNanos()) {
            // Set first: a round that fails waits a minute, as one that finds nothing does.
            lastPruneNanos = nowNanos;
            if (prune()) {
                // It stopped at its cap and left more behind: the next tick prunes again, so
                // pruning keeps up with any finishing rate instead of one round a minute.
                lastPruneNanos = nowNanos - PRUNE_EVERY.toNanos();
            }
        }
    }

    /**
     * Rescue and prune act only while this process holds the lease by the database clock: a
     * statement that a partition delayed past the end of the term changes nothing.
     */
    private MaintenanceStore.LeaderFence fence() {
        return new MaintenanceStore.LeaderFence(LEASE, ctx.options().workerId());
    }

    void rescue() {
        for (int i = 0; i < 10; i++) {
            RescueResult r = ctx.maintenance().executionRescue(ctx.options().quarantineAfter(), RESCUE_BATCH, fence());
            if (r.total() > 0) {
                log.info(
                        "rescued expired leases requeued={} failed={} quarantined={} cancelled={}",
                        r.requeued(),
                        r.failed(),
                        r.quarantined(),
                        r.cancelled());
                ctx.listener().rescued(r);
                if (r.requeued() > 0) {
                    wakeup.signal();
                }
                if (!r.ended().isEmpty()) {
                    ended.accept(r.ended());
                }
            }
            if (r.total() < RESCUE_BATCH) {
                return;
            }
        }
    }

    /** Starts a walk of the failures since the last one handled, unless one is still going. */
    private void startWalk() {
        if (walker != null && walker.isAlive()) {
            return;
        }
        long myTerm = term;
        walker = Thread.ofVirtual().name("nebula-failed-sweep").start(() -> walk(myTerm));
    }

    /** Waits for the walk in progress to end, for tests. */
    void awaitWalk() throws InterruptedException {
        if (walker != null) {
            walker.join();
        }
    }

    /**
     * Hands the failures found since the last one handled to the sweep, in the order they finished,
     * while this process leads in term {@code myTerm}. A failure the store fails on stops the walk,
     * and the next one starts from it; one the sweep fails on otherwise {@value #SWEEP_TRIES} times
     * in a row is logged and passed.
     */
    private void walk(long myTerm) {
        MaintenanceStore.FailedExecution at = sweptTerm == myTerm ? swept : null;
        try {
            while (leader && term == myTerm) {
                List<MaintenanceStore.FailedExecution> page =
                        ctx.maintenance().executionFailedAfter(at, SWEEP_LOOKBACK, sweepSettle, SWEEP_BATCH);
                for (MaintenanceStore.FailedExecution f : page) {
                    if (!leader || term != myTerm) {
                        return;
                    }
                    sweep(f);
                    at = f;
                    swept = f;
                    sweptTerm = myTerm;
                }
                if (page.size() < SWEEP_BATCH) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            if (leader) {
                log.warn("the sweep of failed executions stopped; it goes on at the next tick: {}", e.toString());
            }
        }
    }

    private void sweep(MaintenanceStore.FailedExecution f) {
        try {
            failed.accept(f);
            sweepFailures = 0;
        } catch (StoreException e) {
            // The database, not this execution: the walk stops and comes back to it.
            throw e;
        } catch (RuntimeException e) {
            sweepFailures = sweepFailedId == f.id() ? sweepFailures + 1 : 1;
            sweepFailedId = f.id();
            if (sweepFailures < SWEEP_TRIES) {
                throw e;
            }
            log.error(
                    "execution_id={} the sweep of failed executions goes past it after {} tries; cancel its"
                            + " children with executions cancel",
                    f.id(),
                    sweepFailures,
                    e);
            sweepFailures = 0;
        }
    }

    /**
     * One round of pruning: at most {@value #PRUNE_ROUND_BATCHES} batches of {@value #PRUNE_BATCH}
     * (unless a test chose smaller ones), and no new batch after one maintenance interval. Returns
     * whether it stopped before finding less than a batch (so more may be left).
     */
    boolean prune() {
        int total = 0;
        boolean more = true;
        // A round ends within one maintenance interval, so the leader lease (three intervals) is
        // renewed, and expired leases rescued, between rounds however long the backlog is.
        long endNanos = ctx.clock().nanoTime() + interval().toNanos();
        for (int i = 0; i < pruneRoundBatches; i++) {
            int n = ctx.maintenance().executionPrune(ctx.options().retention(), pruneBatch, fence());
            total += n;
            if (n < pruneBatch) {
                more = false;
                break;
            }
            if (ctx.clock().nanoTime() - endNanos > 0) {
                break;
            }
        }
        if (total > 0) {
            log.info("pruned finished executions count={}", total);
            ctx.listener().pruned(total);
        }
        return more;
    }

    void resign() {
        if (leader) {
            try {
                ctx.maintenance().leaderResign(LEASE, ctx.options().workerId());
            } catch (RuntimeException e) {
                log.debug("could not resign leadership: {}", e.getMessage());
            }
            leader = false;
            ctx.listener().leadership(false);
        }
    }
}
