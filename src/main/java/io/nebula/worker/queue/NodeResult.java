package io.nebula.worker.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A node's checkpoint: written once per (execution, node), never updated. A succeeded node is
 * never run again for that execution; its {@code outputJson} is reused on resume.
 *
 * @param outputJson the node's output as JSON text, {@code null} for skipped or failed nodes
 * @param error the error message of a failed node, otherwise {@code null}
 * @param attempt the execution attempt during which the node finished
 * @param startedAt when the node started, by the worker's clock (informational only)
 * @param finishedAt when the node finished, by the worker's clock (informational only); the store
 *     also records the database time of the write
 * @param tries the node's failed tries, oldest first, across attempts (a failed row lists its
 *     last try too); empty for a node that succeeded on its first try, which is what keeps the
 *     common case free of extra writes
 */
public record NodeResult(
        String nodeId,
        NodeStatus status,
        String outputJson,
        String error,
        int attempt,
        Instant startedAt,
        Instant finishedAt,
        List<NodeTry> tries) {
    public NodeResult {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(status, "status");
        tries = tries == null ? List.of() : List.copyOf(tries);
    }

    /** A result without failed tries. */
    public NodeResult(
            String nodeId,
            NodeStatus status,
            String outputJson,
            String error,
            int attempt,
            Instant startedAt,
            Instant finishedAt) {
        this(nodeId, status, outputJson, error, attempt, startedAt, finishedAt, List.of());
    }

    /**
     * The try on which the node ended in its last attempt: 1 for a node that succeeded at once, 2
     * after one failed try, the number of the failed try for a failed node; 0 for a node that never
     * ran (skipped, or failed before its action was called).
     */
    public int lastTry() {
        long failedThisAttempt =
                tries.stream().filter(t -> t.attempt() == attempt).count();
        return switch (status) {
            case SUCCEEDED -> (int) failedThisAttempt + 1;
            case FAILED -> (int) failedThisAttempt;
            case SKIPPED -> 0;
        };
    }
}
