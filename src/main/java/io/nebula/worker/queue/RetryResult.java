package io.nebula.worker.queue;

/** What a manual retry of a finished execution did. */
public enum RetryResult {
    /** The execution is available again. */
    REQUEUED,
    /** Only failed or cancelled executions can be retried. */
    NOT_RETRYABLE,
    NOT_FOUND
}
