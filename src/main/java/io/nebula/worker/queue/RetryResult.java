package io.nebula.worker.queue;

/** What a manual retry of a finished execution did. */
public enum RetryResult {
    /** The execution is available again. */
    REQUEUED,
    /** Only failed or cancelled executions can be retried. */
    NOT_RETRYABLE,
    /**
     * A child of a map item that a later child of the same item replaced (a retry of its parent
     * started that one): retrying it would run the item twice. The parent is retried instead.
     */
    SUPERSEDED,
    NOT_FOUND
}
