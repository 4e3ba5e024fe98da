package io.nebula.worker.queue;

import java.time.Duration;
import java.util.List;

/**
 * Parameters of one claim.
 *
 * @param workerId the lease owner recorded on each claimed row
 * @param queues the queues this worker serves
 * @param limit at most this many executions; never more than the worker's free slots
 * @param visibilityTimeout how long the lease lasts without a heartbeat, from the database clock
 */
public record ClaimRequest(String workerId, List<String> queues, int limit, Duration visibilityTimeout) {
    public ClaimRequest {
        queues = List.copyOf(queues);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
    }
}
