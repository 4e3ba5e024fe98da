package io.nebula.worker.queue;

import java.time.Duration;
import java.util.List;

/**
 * How an attempt ended, as a value the worker switches on exhaustively: the runtime returns it and
 * the store writes it, with its lease, as a {@link Completion}. {@code unsaved} holds node
 * results not yet checkpointed (typically the last node); the worker writes them in the same
 * transaction as the outcome.
 */
public sealed interface RunOutcome {
    List<NodeResult> unsaved();

    /** Every node finished (or was skipped); {@code outputJson} is the workflow's output. */
    record Succeeded(String outputJson, List<NodeResult> unsaved) implements RunOutcome {
        public Succeeded {
            unsaved = List.copyOf(unsaved);
        }
    }

    /**
     * A node failed after its own retries. {@code retryable} decides whether the execution is tried
     * again as a whole (resuming from checkpoints). {@code startsChildren}: the workflow has nodes
     * that start child executions, whose unfinished children are cancelled when the execution ends
     * failed.
     */
    record Failed(String error, boolean retryable, List<NodeResult> unsaved, boolean startsChildren)
            implements RunOutcome {
        public Failed {
            unsaved = List.copyOf(unsaved);
        }

        public Failed(String error, boolean retryable, List<NodeResult> unsaved) {
            this(error, retryable, unsaved, false);
        }

        /** The same failure of a workflow that starts child executions. */
        public Failed withChildren() {
            return startsChildren ? this : new Failed(error, retryable, unsaved, true);
        }
    }

    /**
     * A durable wait: nothing can run until {@code delay} has passed, so the execution should be
     * released with that delay, freeing the slot; any worker resumes it.
     *
     * @param kind what the wait is for, as traces show it: {@code delay} (a delay node), {@code
     *     sub_workflow} (a parent looking at its child again later) or {@code released} (handed
     *     back for a moment because the worker could not start it)
     */
    record Waiting(Duration delay, String reason, List<NodeResult> unsaved, String kind) implements RunOutcome {
        public Waiting {
            unsaved = List.copyOf(unsaved);
        }

        /** A wait for a delay node. */
        public Waiting(Duration delay, String reason, List<NodeResult> unsaved) {
            this(delay, reason, unsaved, "delay");
        }
    }

    /**
     * Nothing can run until one of {@code waits} is delivered (or times out), so the execution
     * should be parked, freeing the slot; a delivery makes it due again and any worker resumes it.
     * {@code dueAtMost}, when not {@code null}, makes it due again after that long at the latest
     * (its workflow's timeout ends then), whatever its waits' own timeouts.
     */
    record AwaitingSignal(List<SignalWait> waits, String reason, List<NodeResult> unsaved, Duration dueAtMost)
            implements RunOutcome {
        public AwaitingSignal {
            waits = List.copyOf(waits);
            unsaved = List.copyOf(unsaved);
        }

        public AwaitingSignal(List<SignalWait> waits, String reason, List<NodeResult> unsaved) {
            this(waits, reason, unsaved, null);
        }
    }

    /** The attempt stopped because worker asked it to stop (the runtime reads that from its attempt). */
    record Stopped(StopReason reason, List<NodeResult> unsaved) implements RunOutcome {
        public Stopped {
            unsaved = List.copyOf(unsaved);
        }
    }
}
