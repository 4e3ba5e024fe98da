package io.nebula.worker.queue;

/**
 * What a {@link Completion} did.
 *
 * @param applied {@code false} when the lease was lost: nothing was written
 * @param state the state the execution is in afterwards (when applied)
 */
public record CompletionResult(LeaseRef lease, boolean applied, ExecutionState state) {
    public static CompletionResult lost(LeaseRef lease) {
        return new CompletionResult(lease, false, null);
    }
}
