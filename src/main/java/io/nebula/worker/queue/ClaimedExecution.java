package io.nebula.worker.queue;

import java.time.Duration;

/**
 * An execution this worker now holds. {@link #lease()} is the fencing token every later write must
 * carry.
 *
 * @param resumable {@code true} when an earlier attempt may have left checkpoints to reuse
 * @param queued how long the execution waited from becoming due (its submit or run-at time,
 *     whichever is later) to this claim, by the database clock
 * @param traceparent the W3C trace context stored at submit, which every attempt continues; {@code
 *     null} when none was stored
 */
public record ClaimedExecution(
        long id,
        String queue,
        String workflowHash,
        String workflowName,
        String inputJson,
        int attempt,
        int maxAttempts,
        long leaseEpoch,
        boolean resumable,
        boolean cancelRequested,
        Duration queued,
        String traceparent) {

    /** A claim without a stored trace context. */
    public ClaimedExecution(
            long id,
            String queue,
            String workflowHash,
            String workflowName,
            String inputJson,
            int attempt,
            int maxAttempts,
            long leaseEpoch,
            boolean resumable,
            boolean cancelRequested,
            Duration queued) {
        this(
                id,
                queue,
                workflowHash,
                workflowName,
                inputJson,
                attempt,
                maxAttempts,
                leaseEpoch,
                resumable,
                cancelRequested,
                queued,
                null);
    }

    public LeaseRef lease() {
        return new LeaseRef(id, leaseEpoch);
    }
}
