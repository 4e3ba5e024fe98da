package io.nebula.worker.queue;

import java.time.Instant;

/**
 * Everything stored about one execution, for inspection.
 *
 * @param lastEvent the last transition recorded on the row ({@code submitted}, {@code claimed},
 *     {@code released}, {@code awaiting_signal}, ...)
 */
public record ExecutionView(
        long id,
        String queue,
        String workflowHash,
        String workflowName,
        String inputJson,
        ExecutionState state,
        int priority,
        Instant runAt,
        int attempt,
        int maxAttempts,
        int deaths,
        String leaseOwner,
        long leaseEpoch,
        Instant leaseExpiresAt,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String outputJson,
        String lastError,
        boolean cancelRequested,
        String idempotencyKey,
        String lastEvent,
        Instant now) {
    /** Whether the execution is parked until a signal arrives (or its wait's timeout passes). */
    public boolean awaitingSignal() {
        return state == ExecutionState.AVAILABLE && "awaiting_signal".equals(lastEvent);
    }
}
