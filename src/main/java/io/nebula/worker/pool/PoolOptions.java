package io.nebula.worker.pool;

import io.nebula.worker.config.Setting;
import io.nebula.worker.config.WorkerConfig;
import java.time.Duration;
import java.util.List;

/**
 * What the pool needs from the configuration, in one record so embedding applications and tests
 * can build it without a whole {@link WorkerConfig}.
 *
 * @param workerId the unique id of this process: the lease owner of its claims
 * @param poolId the configured worker id, shared by the processes of one pool
 * @param concurrency slots: executions run at once
 * @param batchSize the most executions claimed per statement
 * @param pollInterval the idle poll period (jittered)
 * @param heartbeatInterval how often leases are extended
 * @param visibilityTimeout how long a lease lasts without a heartbeat
 * @param shutdownTimeout how long running executions get to finish on a graceful stop
 * @param maxRetries retries after the first attempt (max attempts = maxRetries + 1)
 * @param retryBackoff the first retry delay; doubles per attempt with jitter
 * @param retryBackoffMax the cap on retry delays
 * @param quarantineAfter worker deaths after which an execution is failed as poison
 * @param retention how long finished executions are kept
 * @param checkInterval how often readiness and queue statistics are refreshed
 */
public record PoolOptions(
        String workerId,
        String poolId,
        List<String> queues,
        int concurrency,
        int batchSize,
        Duration pollInterval,
        Duration heartbeatInterval,
        Duration visibilityTimeout,
        Duration shutdownTimeout,
        int maxRetries,
        Duration retryBackoff,
        Duration retryBackoffMax,
        int quarantineAfter,
        Duration retention,
        Duration checkInterval) {

    public PoolOptions {
        queues = List.copyOf(queues);
        if (concurrency < 1 || batchSize < 1) {
            throw new IllegalArgumentException("concurrency and batch size must be at least 1");
        }
        if (heartbeatInterval.compareTo(visibilityTimeout) >= 0) {
            throw new IllegalArgumentException("the heartbeat interval must be shorter than the visibility timeout");
        }
    }

    /** Options from a validated configuration; {@code workerId} is this process's unique id. */
    public static PoolOptions from(WorkerConfig c, String workerId) {
        return new PoolOptions(
                workerId,
                c.worker().workerId(),
                c.worker().queues(),
                c.worker().concurrency(),
                c.queue().batchSize(),
                c.worker().pollInterval(),
                c.worker().heartbeatInterval(),
                c.queue().visibilityTimeout(),
                c.worker().shutdownTimeout(),
                c.queue().maxRetries(),
                c.queue().retryBackoff(),
                c.queue().retryBackoffMax(),
                c.queue().quarantineAfter(),
                c.queue().retention(),
                c.health().checkInterval());
    }

    /**
     * The documented defaults, for embedding and tests: each one read from its {@link Setting}, so
     * the record cannot drift from what the configuration defaults to.
     */
    public static PoolOptions defaults(String workerId) {
        @SuppressWarnings("unchecked")
        List<String> queues = (List<String>) Setting.QUEUES.defaultValue();
        return new PoolOptions(
                workerId,
                workerId,
                queues,
                (Integer) Setting.CONCURRENCY.defaultValue(),
                (Integer) Setting.BATCH_SIZE.defaultValue(),
                Duration.ofMillis((Long) Setting.POLL_INTERVAL_MS.defaultValue()),
                Duration.ofSeconds((Long) Setting.HEARTBEAT_INTERVAL_SECONDS.defaultValue()),
                Duration.ofSeconds((Long) Setting.VISIBILITY_TIMEOUT_SECONDS.defaultValue()),
                Duration.ofSeconds((Long) Setting.SHUTDOWN_TIMEOUT_SECONDS.defaultValue()),
                (Integer) Setting.MAX_RETRIES.defaultValue(),
                Duration.ofMillis((Long) Setting.RETRY_BACKOFF_MS.defaultValue()),
                Duration.ofMillis((Long) Setting.RETRY_BACKOFF_MAX_MS.defaultValue()),
                (Integer) Setting.QUARANTINE_AFTER.defaultValue(),
                Duration.ofHours((Long) Setting.RETENTION_HOURS.defaultValue()),
                Duration.ofSeconds((Long) Setting.CHECK_INTERVAL_SECONDS.defaultValue()));
    }

    public int maxAttempts() {
        return maxRetries + 1;
    }

    /** How often maintenance (rescue) runs: a fifth of the visibility timeout, within bounds. */
    public Duration maintenanceInterval() {
        long ms = Math.max(100, Math.min(15_000, visibilityTimeout.toMillis() / 5));
        return Duration.ofMillis(ms);
    }

    public PoolOptions withConcurrency(int n) {
        return edit(e -> e.concurrency = n);
    }

    public PoolOptions withQueues(List<String> q) {
        return edit(e -> e.queues = q);
    }

    public PoolOptions withBatchSize(int n) {
        return edit(e -> e.batchSize = n);
    }

    public PoolOptions withLeases(Duration heartbeat, Duration visibility) {
        return edit(e -> {
            e.heartbeatInterval = heartbeat;
            e.visibilityTimeout = visibility;
        });
    }

    public PoolOptions withShutdownTimeout(Duration d) {
        return edit(e -> e.shutdownTimeout = d);
    }

    public PoolOptions withRetries(int retries, Duration backoff, Duration backoffMax) {
        return edit(e -> {
            e.maxRetries = retries;
            e.retryBackoff = backoff;
            e.retryBackoffMax = backoffMax;
        });
    }

    public PoolOptions withPollInterval(Duration d) {
        return edit(e -> e.pollInterval = d);
    }

    public PoolOptions withCheckInterval(Duration d) {
        return edit(e -> e.checkInterval = d);
    }

    /** A copy with some components changed (and validated again by the constructor). */
    private PoolOptions edit(java.util.function.Consumer<Edit> change) {
        Edit e = new Edit(this);
        change.accept(e);
        return new PoolOptions(
                e.workerId,
                e.poolId,
                e.queues,
                e.concurrency,
                e.batchSize,
                e.pollInterval,
                e.heartbeatInterval,
                e.visibilityTimeout,
                e.shutdownTimeout,
                e.maxRetries,
                e.retryBackoff,
                e.retryBackoffMax,
                e.quarantineAfter,
                e.retention,
                e.checkInterval);
    }

    /** The components of a {@link PoolOptions} being copied, open to change. */
    private static final class Edit {
        String workerId;
        String poolId;
        List<String> queues;
        int concurrency;
        int batchSize;
        Duration pollInterval;
        Duration heartbeatInterval;
        Duration visibilityTimeout;
        Duration shutdownTimeout;
        int maxRetries;
        Duration retryBackoff;
        Duration retryBackoffMax;
        int quarantineAfter;
        Duration retention;
        Duration checkInterval;

        Edit(PoolOptions o) {
            workerId = o.workerId;
            poolId = o.poolId;
            queues = o.queues;
            concurrency = o.concurrency;
            batchSize = o.batchSize;
            pollInterval = o.pollInterval;
            heartbeatInterval = o.heartbeatInterval;
            visibilityTimeout = o.visibilityTimeout;
            shutdownTimeout = o.shutdownTimeout;
            maxRetries = o.maxRetries;
            retryBackoff = o.retryBackoff;
            retryBackoffMax = o.retryBackoffMax;
            quarantineAfter = o.quarantineAfter;
            retention = o.retention;
            checkInterval = o.checkInterval;
        }
    }
}
