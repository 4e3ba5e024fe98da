package io.nebula.worker.runtime;

import io.nebula.worker.queue.NodeTry;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** How one node ended inside an attempt, as its task reports it to the scheduler. */
sealed interface NodeOutcome {
    String nodeId();

    /**
     * {@code outputJson} is {@code output} as JSON text, rendered once by the task; {@code
     * failedTries} are the tries before the one that succeeded (usually none).
     */
    record Succeeded(
            String nodeId,
            JsonNode output,
            String outputJson,
            Instant startedAt,
            Instant finishedAt,
            List<NodeTry> failedTries)
            implements NodeOutcome {}

    /**
     * {@code message} already names the node and the number of tries; {@code failedTries} lists
     * every try, the last one included.
     */
    record Failed(
            String nodeId,
            String message,
            boolean retryable,
            Instant startedAt,
            Instant finishedAt,
            List<NodeTry> failedTries)
            implements NodeOutcome {}

    /** The action asked to release the execution until {@code until} (a durable wait). */
    record Suspended(String nodeId, Instant until, String reason, Instant startedAt, Instant finishedAt)
            implements NodeOutcome {}

    /** The node cannot finish before signal {@code name} arrives; nothing is recorded for it. */
    record AwaitingSignal(String nodeId, String name, java.time.Duration timeout) implements NodeOutcome {}

    /** The node was stopped by a stop request before it finished. */
    record Stopped(String nodeId) implements NodeOutcome {}
}
