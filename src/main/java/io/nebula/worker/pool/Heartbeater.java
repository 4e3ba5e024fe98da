package io.nebula.worker.pool;

import io.nebula.worker.queue.HeartbeatResult;
import io.nebula.worker.queue.LeaseRef;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.queue.StoreException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this process's leases alive. Every {@code heartbeat_interval} one statement extends the
 * leases of all executions in flight (on the store's dedicated heartbeat connection) and refreshes
 * the registry row. Leases the database did not extend are lost: those executions are stopped and
 * write nothing more. Cancel requests ride on the same answer. Between heartbeats it checks the
 * local lease deadlines, so an execution whose lease could not be extended in time (database down)
 * is stopped before another worker can take it over.
 */
final class Heartbeater implements Periodic.Service {
    private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);

    private final PoolContext ctx;
    private final Readiness readiness;
    private final long safetyNanos;
    private final PoolClock clock;
    private long lastBeatNanos;

    Heartbeater(PoolContext ctx, Readiness readiness) {
        this.ctx = ctx;
        this.readiness = readiness;
        this.clock = ctx.clock();
        this.lastBeatNanos = clock.nanoTime();
        long vis = ctx.options().visibilityTimeout().toNanos();
        this.safetyNanos = Math.min(vis / 10, Duration.ofSeconds(5).toNanos());
    }

    /** How often {@link #runOnce} should be called: often enough to notice deadlines in time. */
    Duration tick() {
        long hb = ctx.options().heartbeatInterval().toMillis();
        return Duration.ofMillis(Math.max(20, Math.min(1_000, hb / 2)));
    }

    @Override
    public void runOnce() {
        long now = clock.nanoTime();
        if (now - lastBeatNanos >= ctx.options().heartbeatInterval().toNanos()) {
            beat();
        }
        expireOverdue(clock.nanoTime());
    }

    /** Sends one heartbeat now. */
    void beat() {
        // An attempt stopped because its lease was lost winds down without it: extending the lease
        // again would only keep the execution from the worker that may take it over.
        List<Running> snapshot = ctx.inFlight().all().stream()
                .filter(run -> run.stopReason() != StopReason.LEASE_LOST)
                .toList();
        List<LeaseRef> leases = snapshot.stream().map(Running::lease).toList();
        // The extended deadlines count from the reading below, which must not miss a suspend.
        clock.catchUp();
        long sent = clock.nanoTime();
        lastBeatNanos = sent;
        HeartbeatResult r;
        try {
            r = ctx.leases()
                    .leaseHeartbeat(
                            ctx.options().workerId(),
                            leases,
                            ctx.options().visibilityTimeout(),
                            ctx.slots().inUse());
        } catch (StoreException e) {
            readiness.databaseFailed(e);
            ctx.listener().heartbeat(false, leases.size(), Duration.ofNanos(clock.nanoTime() - sent));
            log.warn("heartbeat failed leases={}: {}", leases.size(), e.getMessage());
            return;
        }
        readiness.databaseAnswered();
        ctx.listener().heartbeat(true, leases.size(), Duration.ofNanos(clock.nanoTime() - sent));
        long deadline = sent + ctx.options().visibilityTimeout().toNanos();
        for (Running run : snapshot) {
            long id = run.claimed().id();
            if (r.extended().contains(id)) {
                run.extendLease(deadline);
                if (r.cancelRequested().contains(id) && run.requestStop(StopReason.CANCELLED)) {
                    log.info("cancel requested execution_id={}", id);
                }
            } else if (ctx.inFlight().get(id) == run && !run.isPublishing()) {
                // (An execution whose outcome is being written may have just ended: its completion
                // is fenced on its own, so a missing extension says nothing about its lease.)
                // Not extended and still ours: another worker may hold it now.
                if (run.requestStop(StopReason.LEASE_LOST)) {
                    log.warn(
                            "lease lost execution_id={} lease_epoch={}",
                            id,
                            run.claimed().leaseEpoch());
                }
            }
        }
    }

    /** Stops executions whose lease could not be extended in time. */
    void expireOverdue(long nowNanos) {
        for (Running run : ctx.inFlight().all()) {
            if (nowNanos >= run.leaseDeadlineNanos() - safetyNanos && run.requestStop(StopReason.LEASE_LOST)) {
                log.warn(
                        "lease could not be extended before it expired; stopping execution_id={}",
                        run.claimed().id());
            }
        }
    }
}
