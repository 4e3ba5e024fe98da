package io.nebula.worker.queue;

import java.time.Instant;

/**
 * One row of the execution list: what a list shows, without the input and output (which may be
 * large).
 *
 * @param error the first {@link #ERROR_CHARS} characters of the last error, or {@code null}
 * @param lastEvent the last transition recorded on the row, as {@link ExecutionView#lastEvent()}
 */
public record ExecutionSummary(
        long id,
        String queue,
        String workflowHash,
        String workflowName,
        ExecutionState state,
        int priority,
        Instant runAt,
        int attempt,
        int maxAttempts,
        String leaseOwner,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String error,
        boolean cancelRequested,
        String idempotencyKey,
        String lastEvent) {
    /** How much of the last error a list row carries. */
    public static final int ERROR_CHARS = 300;

    /** Whether the execution is parked until a signal arrives (or its wait's timeout passes). */
    public boolean awaitingSignal() {
        return state == ExecutionState.AVAILABLE && "awaiting_signal".equals(lastEvent);
    }

    /** This row's position in the list. */
    public ExecutionCursor cursor() {
        return new ExecutionCursor(createdAt, id);
    }
}
