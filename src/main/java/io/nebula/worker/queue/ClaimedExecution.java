package io.nebula.worker.queue;

import java.time.Instant;

/**
 * An execution this worker now holds. {@link #lease()} is the fencing token every later write must
 * carry.
 *
 * @param resumable {@code true} when an earlier attempt may have left checkpoints to reuse
 * @param dueAt when the execution became due (its run-at time), for the submit-to-start latency
 * @param claimedAt the database time of the claim
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
        Instant createdAt,
        Instant dueAt,
        Instant claimedAt) {

    public LeaseRef lease() {
        return new LeaseRef(id, leaseEpoch);
    }
}
