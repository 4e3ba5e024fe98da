package io.nebula.worker.pool;

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

    /** Defaults matching the seed README, for embedding and tests. */
    public static PoolOptions defaults(String workerId) {
        return new PoolOptions(
                workerId,
                workerId,
                List.of("default"),
                4,
                10,
                Duration.ofMillis(100),
                Duration.ofSeconds(30),
                Duration.ofSeconds(300),
                Duration.ofSeconds(30),
                3,
                Duration.ofSeconds(1),
                Duration.ofMinutes(5),
                3,
                Duration.ofDays(7),
                Duration.ofSeconds(10));
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
        return new PoolOptions(
                workerId,
                poolId,
                queues,
                n,
                batchSize,
                pollInterval,
                heartbeatInterval,
                visibilityTimeout,
                shutdownTimeout,
                maxRetries,
                retryBackoff,
                retryBackoffMax,
                quarantineAfter,
                retention,
                checkInterval);
    }

    public PoolOptions withBatchSize(int n) {
        return new PoolOptions(
                workerId,
                poolId,
                queues,
                concurrency,
                n,
                pollInterval,
                heartbeatInterval,
                visibilityTimeout,
                shutdownTimeout,
                maxRetries,
                retryBackoff,
                retryBackoffMax,
                quarantineAfter,
                retention,
                checkInterval);
    }

    public PoolOptions withLeases(Duration heartbeat, Duration visibility) {
        return new PoolOptions(
                workerId,
                poolId,
                queues,
                concurrency,
                batchSize,
                pollInterval,
                heartbeat,
                visibility,
                shutdownTimeout,
                maxRetries,
                retryBackoff,
                retryBackoffMax,
                quarantineAfter,
                retention,
                checkInterval);
    }

    public PoolOptions withShutdownTimeout(Duration d) {
        return new PoolOptions(
                workerId,
                poolId,
                queues,
                concurrency,
                batchSize,
                pollInterval,
                heartbeatInterval,
                visibilityTimeout,
                d,
                maxRetries,
                retryBackoff,
                retryBackoffMax,
                quarantineAfter,
                retention,
                checkInterval);
    }

    public PoolOptions withRetries(int retries, Duration backoff, Duration backoffMax) {
        return new PoolOptions(
                workerId,
                poolId,
                queues,
                concurrency,
                batchSize,
                pollInterval,
                heartbeatInterval,
                visibilityTimeout,
                shutdownTimeout,
                retries,
                backoff,
                backoffMax,
                quarantineAfter,
                retention,
                checkInterval);
    }

    public PoolOptions withPollInterval(Duration d) {
        return new PoolOptions(
                workerId,
                poolId,
                queues,
                concurrency,
                batchSize,
                d,
                heartbeatInterval,
                visibilityTimeout,
                shutdownTimeout,
                maxRetries,
                retryBackoff,
                retryBackoffMax,
                quarantineAfter,
                retention,
                checkInterval);
    }

    public PoolOptions withCheckInterval(Duration d) {
        return new PoolOptions(
                workerId,
                poolId,
                queues,
                concurrency,
                batchSize,
                pollInterval,
                heartbeatInterval,
                visibilityTimeout,
                shutdownTimeout,
                maxRetries,
                retryBackoff,
                retryBackoffMax,
                quarantineAfter,
                retention,
                d);
    }
}
