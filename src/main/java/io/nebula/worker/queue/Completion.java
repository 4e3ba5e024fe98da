package io.nebula.worker.queue;

import java.time.Duration;
import java.util.List;

/**
 * The end of one attempt, written fenced by the lease. Each carries the node results that were not
 * yet checkpointed (for example the last node of the workflow), which are written in the same
 * transaction as the state change.
 */
public sealed interface Completion {
    LeaseRef lease();

    List<NodeResult> nodes();

    /** The workflow finished. If a cancel was requested meanwhile the execution ends cancelled. */
    record Succeed(LeaseRef lease, String outputJson, List<NodeResult> nodes) implements Completion {
        public Succeed {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * The attempt failed. A retryable failure with attempts left goes back to available after
     * {@code retryDelay}; otherwise the execution fails for good ("max retries exceeded" when the
     * error was retryable).
     */
    record Fail(LeaseRef lease, String error, boolean retryable, Duration retryDelay, List<NodeResult> nodes)
            implements Completion {
        public Fail {
            nodes = List.copyOf(nodes);
            retryDelay = retryDelay == null ? Duration.ZERO : retryDelay;
        }
    }

    /**
     * The worker hands the execution back without spending the attempt: graceful shutdown
     * ({@code delay} zero) or a durable wait (a {@code delay} until the wait ends). Checkpoints are
     * kept.
     */
    record Release(LeaseRef lease, String reason, Duration delay, List<NodeResult> nodes) implements Completion {
        public Release {
            nodes = List.copyOf(nodes);
            delay = delay == null ? Duration.ZERO : delay;
        }
    }

    /** The holder saw a cancel request and stopped. */
    record Cancel(LeaseRef lease, String reason, List<NodeResult> nodes) implements Completion {
        public Cancel {
            nodes = List.copyOf(nodes);
        }
    }
}
