package io.nebula.worker.queue;

import java.time.Instant;

/**
 * Executions of one queue that finished within one minute.
 *
 * @param minute the start of the minute (database clock)
 * @param finished succeeded, failed and cancelled executions
 * @param failed the failed ones among them
 * @param capped {@code true} when the count stopped at the cap and is a lower bound
 */
public record ThroughputBucket(Instant minute, String queue, long finished, long failed, boolean capped) {}
