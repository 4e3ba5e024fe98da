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

    /**
     * The workflow waits for signals: nothing can run until one of {@code waits} is delivered (or
     * times out). The execution is handed back without spending the attempt, checkpoints kept,
     * and stays parked until a delivery or the earliest timeout makes it due; a signal delivered
     * before the park makes it due at once.
     */
    record AwaitSignal(LeaseRef lease, String reason, List<SignalWait> waits, List<NodeResult> nodes)
            implements Completion {
        public AwaitSignal {
            waits = List.copyOf(waits);
            nodes = List.copyOf(nodes);
            if (waits.isEmpty()) {
                throw new IllegalArgumentException("a signal wait needs at least one signal");
            }
        }
    }

    /** The holder saw a cancel request and stopped. */
    record Cancel(LeaseRef lease, String reason, List<NodeResult> nodes) implements Completion {
        public Cancel {
            nodes = List.copyOf(nodes);
        }
    }
}
