package io.nebula.worker.observe;

/** Identifies one attempt of one execution in events. Never used as a metric label. */
public record ExecutionEvent(long executionId, String workflowName, String queue, int attempt, long leaseEpoch) {}
