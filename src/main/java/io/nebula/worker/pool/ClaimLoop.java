package io.nebula.worker.pool;

import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes free slots, claims at most that many executions (never more than the batch size) in one
 * statement, and starts each on its own virtual thread. It claims again at once while the queue
 * yields full batches; when a claim comes back short the queue is drained, and it sleeps until a
 * wake-up (NOTIFY or an in-process submit) or the jittered poll interval. While all slots are
 * busy it waits for half a batch of slots to free up (at most one poll interval), so a busy worker
 * claims in batches instead of one execution per statement.
 */
final class ClaimLoop {
    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    private static final Duration FIRST_FAILURE_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_FAILURE_BACKOFF = Duration.ofSeconds(5);

    private final PoolContext ctx;
    private final Wakeup wakeup;
    private final Runnable wake;
    private final Readiness readiness;
    private final Thread thread;
    private final AtomicLong claims = new AtomicLong();
    /** Guards {@link #claiming} against {@link #stop()}: a claim in flight is never interrupted. */
    private final ReentrantLock claimGuard = new ReentrantLock();

    private boolean claiming;
    private volatile boolean running = true;
    private volatile long lastTurnNanos;
    /** The wait after the latest failed claim. */
    private Duration failureBackoff = FIRST_FAILURE_BACKOFF;
    /** The wait after the next claim if it fails too. */
    private Duration nextFailureBackoff = FIRST_FAILURE_BACKOFF;

    ClaimLoop(PoolContext ctx, Wakeup wakeup, Readiness readiness, int index) {
        this.ctx = ctx;
        this.wakeup = wakeup;
        this.wake = wakeup::signal;
        this.readiness = readiness;
        this.thread = Thread.ofVirtual().name("nebula-claim-" + index).unstarted(this::loop);
        this.lastTurnNanos = ctx.clock().runningNanos();
    }

    void start() {
        lastTurnNanos = ctx.clock().runningNanos();
        thread.start();
    }

    /**
     * Stops claiming at once; an in-progress claim finishes and its executions run (and are then
     * released by the graceful stop). The thread is interrupted only while it waits: an interrupt
     * on a virtual thread blocked in socket I/O closes the socket, and a claim that had already
     * committed would lose its answer, leaving its executions held by nobody until their leases
     * expire.
     */
    void stop() {
        claimGuard.lock();
        try {
            running = false;
            if (!claiming) {
                thread.interrupt();
            }
        } finally {
            claimGuard.unlock();
        }
    }

    /**
     * Stops claiming and interrupts the loop even in the middle of a claim: for a shutdown while
     * the database does not answer, when waiting for the claim would only wait for its timeout. A
     * claim that did commit then loses its answer, and its executions return to the queue when
     * their leases expire.
     */
    void stopNow() {
        claimGuard.lock();
        try {
            running = false;
            thread.interrupt();
        } finally {
            claimGuard.unlock();
        }
    }

    /** Waits up to {@code max} for the loop's thread to end; returns whether it has. */
    boolean awaitStopped(Duration max) throws InterruptedException {
        return !thread.isAlive() || thread.join(max);
    }

    long claims() {
        return claims.get();
    }

    /** When the loop last went round (liveness: a stuck loop stops updating this). */
    long lastTurnNanos() {
        return lastTurnNanos;
    }

    /** What one claim did, so the loop knows whether and how long to wait before the next. */
    enum Turn {
        /** The claim filled every slot it took: the queue may hold more. */
        FULL,
        /** The claim came back short (the queue is drained for now). */
        SHORT,
        /** The claim failed; wait {@link #failureBackoff()} before the next. */
        FAILED,
        /** The loop was stopped before the claim was sent. */
        STOPPED
    }

    private void loop() {
        PoolOptions o = ctx.options();
        int batchThreshold = Math.max(1, Math.min(o.batchSize(), o.concurrency()) / 2);
        while (running) {
            lastTurnNanos = ctx.clock().runningNanos();
            try {
                if (!ctx.slots().awaitFree(batchThreshold, o.pollInterval())) {
                    continue;
                }
                if (!running) {
                    break;
                }
                Turn turn = claimOnce();
                if (turn == Turn.STOPPED) {
                    break;
                }
                if (!running) {
                    continue;
                }
                if (turn == Turn.FAILED) {
                    wakeup.await(failureBackoff);
                } else if (turn == Turn.SHORT) {
                    // The queue is drained (for now): sleep until woken or the poll interval.
                    wakeup.await(Backoff.jitter(o.pollInterval()));
                }
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                log.error("claim loop error; continuing", e);
                try {
                    // Not at once: a fault that repeats would otherwise spin the loop.
                    wakeup.await(MAX_FAILURE_BACKOFF);
                } catch (InterruptedException stop) {
                    if (!running) {
                        break;
                    }
                }
            }
        }
        log.debug("claim loop stopped after {} claims", claims.get());
    }

    /**
     * One claim without waiting: takes the free slots (at most a batch), claims at most that many
     * executions, gives back the slots the claim did not fill and starts the claimed executions.
     * The loop calls it between its waits; tests call it to step the loop.
     */
    Turn claimOnce() {
        PoolOptions o = ctx.options();
        // The claim's lease deadline counts from the reading below, which must not miss a suspend.
        ctx.clock().catchUp();
        int taken = ctx.slots().take(o.batchSize());
        List<ClaimedExecution> claimed;
        long sentNanos = ctx.clock().nanoTime();
        claimGuard.lock();
        try {
            if (!running) {
                ctx.slots().giveUnfilled(taken);
                return Turn.STOPPED;
            }
            claiming = true;
        } finally {
            claimGuard.unlock();
        }
        StoreException failure = null;
        try {
            claimed = ctx.leases()
                    .executionClaim(new ClaimRequest(o.workerId(), o.queues(), taken, o.visibilityTimeout()));
        } catch (StoreException e) {
            claimed = List.of();
            failure = e;
        } catch (RuntimeException e) {
            // Not the database's answer but a fault here: the slots taken are given back, or they
            // would stay taken for good.
            ctx.slots().giveUnfilled(taken);
            throw e;
        } finally {
            claimGuard.lock();
            try {
                claiming = false;
            } finally {
                claimGuard.unlock();
            }
        }
        if (failure != null) {
            ctx.slots().giveUnfilled(taken);
            failureBackoff = nextFailureBackoff;
            Duration doubled = failureBackoff.multipliedBy(2);
            nextFailureBackoff = doubled.compareTo(MAX_FAILURE_BACKOFF) > 0 ? MAX_FAILURE_BACKOFF : doubled;
            readiness.databaseFailed(failure);
            log.warn("claim failed, retrying in {} ms: {}", failureBackoff.toMillis(), failure.getMessage());
            return Turn.FAILED;
        }
        readiness.databaseAnswered();
        nextFailureBackoff = FIRST_FAILURE_BACKOFF;
        claims.incrementAndGet();
        ctx.slots().giveUnfilled(taken - claimed.size());
        if (!claimed.isEmpty() && claimed.size() < taken) {
            // Short but not empty: the queue may be drained, or held at a limit on its running
            // executions (queues limit) that one of these frees when it ends. The first execution
            // of this worker to end wakes the loop, so that room is claimed then rather than at the
            // next poll; a drained queue costs one empty claim.
            ctx.slots().onNextGive(wake);
        }
        ctx.listener().claimed(taken, claimed.size());
        if (!claimed.isEmpty()) {
            launch(claimed, sentNanos);
        }
        return claimed.size() < taken ? Turn.SHORT : Turn.FULL;
    }

    /**
     * How long the loop waits after the latest failed claim: 100 ms after the first failure in a
     * row, doubling with each further one up to five seconds.
     */
    Duration failureBackoff() {
        return failureBackoff;
    }

    private void launch(List<ClaimedExecution> claimed, long sentNanos) {
        long deadline = sentNanos + ctx.options().visibilityTimeout().toNanos();
        List<Long> resumable = new ArrayList<>();
        for (ClaimedExecution c : claimed) {
            if (c.resumable()) {
                resumable.add(c.id());
            }
        }
        Map<Long, List<NodeResult>> checkpoints = Map.of();
        boolean loaded = true;
        if (!resumable.isEmpty()) {
            try {
                checkpoints = ctx.leases().nodeResultsLoad(resumable);
            } catch (StoreException e) {
                // Without its checkpoints an execution would re-run finished nodes: such executions
                // are handed straight back (the release keeps their attempt) instead of being run.
                log.warn("cannot load checkpoints of resumed executions {}: {}", resumable, e.getMessage());
                loaded = false;
            }
        }
        for (ClaimedExecution c : claimed) {
            Running r = new Running(c, deadline, ctx.clock().nanoTime());
            ctx.inFlight().add(r);
            List<NodeResult> mine = c.resumable() && !loaded ? null : checkpoints.getOrDefault(c.id(), List.of());
            ExecutionTask task = new ExecutionTask(r, mine, ctx);
            Thread.ofVirtual().name("nebula-exec-" + c.id()).start(task);
        }
    }
}
