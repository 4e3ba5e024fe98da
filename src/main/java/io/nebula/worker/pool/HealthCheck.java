package io.nebula.worker.pool;

import io.nebula.worker.queue.ExecutionStore.SchemaStatus;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.StoreException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code check_interval_seconds}: asks the database whether the schema is current (which
 * also proves it is reachable) and refreshes the queue statistics behind the depth metrics, with
 * counts capped so the cost stays bounded however large the table grows. Probes and scrapes read
 * the results; they never query the database themselves.
 */
final class HealthCheck implements Periodic.Service {
    private static final Logger log = LoggerFactory.getLogger(HealthCheck.class);
    static final long STATS_CAP = 100_000;

    private final PoolContext ctx;
    private final Readiness readiness;
    private volatile List<QueueStats> lastStats = List.of();

    HealthCheck(PoolContext ctx, Readiness readiness) {
        this.ctx = ctx;
        this.readiness = readiness;
    }

    List<QueueStats> lastStats() {
        return lastStats;
    }

    @Override
    public void runOnce() {
        SchemaStatus s;
        try {
            s = ctx.store().schemaStatus();
        } catch (StoreException e) {
            readiness.databaseFailed(e.getMessage());
            return;
        }
        readiness.schema(
                s.upToDate(),
                "migrations missing: schema version " + s.currentVersion() + ", this build needs " + s.expectedVersion()
                        + " (run `nebula-worker migrate`)");
        try {
            List<QueueStats> stats = ctx.store().queueStats(STATS_CAP, false);
            lastStats = stats;
            ctx.listener().queueStats(stats);
        } catch (StoreException e) {
            log.debug("queue statistics failed: {}", e.getMessage());
        }
    }
}
