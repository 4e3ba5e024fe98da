package io.nebula.worker.queue;

/**
 * The answer to one submit.
 *
 * @param executionId the new execution, or the existing one for a repeated idempotency key
 * @param created {@code false} when an execution with the same idempotency key already existed
 */
public record Submitted(long executionId, boolean created) {}
