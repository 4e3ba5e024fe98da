package io.nebula.worker.pool;

import io.nebula.worker.queue.ExecutionStore.SchemaStatus;
import io.nebula.worker.queue.KnownQueue;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.StoreException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code check_interval_seconds}: asks the database whether the schema is current (which
 * also proves it is reachable) and refreshes the queue statistics behind the depth metrics, with
 * counts capped so the cost stays bounded however large the table grows. Probes and scrapes read
 * the results; they never query the database themselves.
 *
 * <p>An unreachable database often does not fail calls: while it restarts, a pooled call waits up
 * to the pool's connect timeout for a new connection, and behind a partition a query waits for its
 * socket timeout. Every loop is then waiting rather than failing, and readiness would keep its last
 * answer. So the check waits at most one check interval (within bounds) for its answer and marks
 * the database unreachable when none came; the late answer, when it comes, is taken as usual.
 */
final class HealthCheck implements Periodic.Service {
    private static final Logger log = LoggerFactory.getLogger(HealthCheck.class);
    static final long STATS_CAP = 100_000;
    private static final long MIN_PATIENCE_MS = 250;
    private static final long MAX_PATIENCE_MS = 5_000;

    private final PoolContext ctx;
    private final Readiness readiness;
    private volatile List<QueueStats> lastStats = List.of();
    /** The statistics refresh in flight (counted down when it ends), or null. */
    private final AtomicReference<CountDownLatch> statsRunning = new AtomicReference<>();

    HealthCheck(PoolContext ctx, Readiness readiness) {
        this.ctx = ctx;
        this.readiness = readiness;
    }

    List<QueueStats> lastStats() {
        return lastStats;
    }

    /** How long the check waits for the database before calling it unreachable. */
    Duration patience() {
        long ms = ctx.options().checkInterval().toMillis();
        return Duration.ofMillis(Math.max(MIN_PATIENCE_MS, Math.min(MAX_PATIENCE_MS, ms)));
    }

    @Override
    public void runOnce() throws InterruptedException {
        check(false);
    }

    /**
     * A check whose statistics are read after this call began: when a periodic refresh is already
     * reading them (possibly from before the caller's last write), it waits for that one and reads
     * again.
     */
    void runFresh() throws InterruptedException {
        check(true);
    }

    private void check(boolean freshStats) throws InterruptedException {
        CompletableFuture<SchemaStatus> answer = new CompletableFuture<>();
        Thread.ofVirtual().name("nebula-health-probe").start(() -> {
            try {
                answer.complete(ctx.store().schemaStatus());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        SchemaStatus s;
        try {
            try {
                s = answer.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                readiness.databaseFailed("no answer within " + patience().toMillis() + " ms");
                // Wait for this probe before the next one, so probes never pile up.
                s = answer.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreException se) {
                readiness.databaseFailed(se);
            } else {
                readiness.databaseFailed((String) null);
            }
            return;
        }
        readiness.schema(s.upToDate(), s.mismatch());
        refreshStats(freshStats);
    }

    /**
     * Reads the queue statistics on a thread of their own and waits for them as long as for the
     * probe. A statistics call stuck on a database that stopped answering must not hold the next
     * probe back (readiness would keep saying ready for as long as the socket timeout); while one
     * is still stuck, later checks skip the statistics and keep probing. With {@code fresh}, a
     * refresh already running is waited for and followed by one that starts after this call did
     * (each wait as long as for the probe; a refresh still stuck after it is left alone).
     */
    private void refreshStats(boolean fresh) throws InterruptedException {
        long patience = patience().toMillis();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch running = statsRunning.compareAndExchange(null, done);
        if (running != null) {
            if (!fresh || !running.await(patience, TimeUnit.MILLISECONDS)) {
                return;
            }
            running = statsRunning.compareAndExchange(null, done);
            if (running != null) {
                // Started after the one this call found had ended, so after this call began.
                running.await(patience, TimeUnit.MILLISECONDS);
                return;
            }
        }
        Thread.ofVirtual().name("nebula-queue-stats").start(() -> {
            try {
                List<QueueStats> stats = ctx.store().queueStats(STATS_CAP, false);
                lastStats = stats;
                ctx.listener().queueStats(stats);
                ctx.listener().queueLimits(KnownQueue.limits(ctx.store().queueList()));
            } catch (StoreException e) {
                log.debug("queue statistics failed: {}", e.getMessage());
            } finally {
                statsRunning.set(null);
                done.countDown();
            }
        });
        done.await(patience, TimeUnit.MILLISECONDS);
    }
}
