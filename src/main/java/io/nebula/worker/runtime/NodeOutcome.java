package io.nebula.worker.runtime;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** How one node ended inside an attempt, as its task reports it to the scheduler. */
sealed interface NodeOutcome {
    String nodeId();

    /** {@code outputJson} is {@code output} as JSON text, rendered once by the task. */
    record Succeeded(String nodeId, JsonNode output, String outputJson, Instant startedAt, Instant finishedAt)
            implements NodeOutcome {}

    /** {@code message} already names the node and the number of tries. */
    record Failed(String nodeId, String message, boolean retryable, Instant startedAt, Instant finishedAt)
            implements NodeOutcome {}

    /** The action asked to release the execution until {@code until} (a durable wait). */
    record Suspended(String nodeId, Instant until, String reason, Instant startedAt, Instant finishedAt)
            implements NodeOutcome {}

    /** The node cannot finish before signal {@code name} arrives; nothing is recorded for it. */
    record AwaitingSignal(String nodeId, String name, java.time.Duration timeout) implements NodeOutcome {}

    /** The node was stopped by a stop request before it finished. */
    record Stopped(String nodeId) implements NodeOutcome {}
}
