package io.nebula.worker.queue;

import java.time.Instant;
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
 */
public record NodeResult(
        String nodeId,
        NodeStatus status,
        String outputJson,
        String error,
        int attempt,
        Instant startedAt,
        Instant finishedAt) {
    public NodeResult {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(status, "status");
    }
}
