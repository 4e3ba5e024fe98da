package io.nebula.worker.queue;

/**
 * The fencing token of one claim: an execution id and the lease epoch it was claimed with. Every
 * write after a claim is guarded by both; a write that matches no row means the lease was lost.
 */
public record LeaseRef(long executionId, long leaseEpoch) {}
