package io.nebula.worker.pool;

import io.nebula.worker.queue.MaintenanceStore;
import io.nebula.worker.queue.RescueResult;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance that exactly one process does at a time: the holder of the "maintenance" leader
 * lease (a row on the database clock, renewed each run, given up on stop, taken over when it
 * expires). The leader rescues expired leases (quarantining executions whose workers keep dying)
 * and prunes finished executions past the retention, both fenced by the lease in the database.
 */
final class Maintainer implements Periodic.Service {
    private static final Logger log = LoggerFactory.getLogger(Maintainer.class);
    static final String LEASE = "maintenance";
    private static final int RESCUE_BATCH = 1_000;
    private static final int PRUNE_BATCH = 5_000;
    private static final int PRUNE_ROUND_BATCHES = 20;
    private static final Duration PRUNE_EVERY = Duration.ofSeconds(60);

    private final PoolContext ctx;
    private final Wakeup wakeup;
    private final int pruneBatch;
    private final int pruneRoundBatches;
    private final Consumer<List<Long>> ended;
    private boolean leader;
    private long lastPruneNanos;

    /**
     * @param ended told the executions a rescue failed, quarantined or cancelled (their children
     *     are cancelled there: {@link SubWorkflows#cancelsChildrenOfEnded}); it must not block
     */
    Maintainer(PoolContext ctx, Wakeup wakeup, Consumer<List<Long>> ended) {
        this(ctx, wakeup, ended, PRUNE_BATCH, PRUNE_ROUND_BATCHES);
    }

    /** With smaller prune batches and rounds, for tests. */
    Maintainer(PoolContext ctx, Wakeup wakeup, int pruneBatch, int pruneRoundBatches) {
        this(ctx, wakeup, ids -> {}, pruneBatch, pruneRoundBatches);
    }

    private Maintainer(
            PoolContext ctx, Wakeup wakeup, Consumer<List<Long>> ended, int pruneBatch, int pruneRoundBatches) {
        this.ctx = ctx;
        this.wakeup = wakeup;
        this.ended = ended;
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
        boolean now = ctx.maintenance().leaderAttemptElect(LEASE, ctx.options().workerId(), ttl);
        if (now != leader) {
            leader = now;
            log.info(now ? "became maintenance leader" : "no longer maintenance leader");
            ctx.listener().leadership(now);
        }
        if (!leader) {
            return;
        }
        rescue();
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
