package io.nebula.worker.queue;

import java.time.Instant;

/** Everything stored about one execution, for inspection. */
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
        Instant now) {}
