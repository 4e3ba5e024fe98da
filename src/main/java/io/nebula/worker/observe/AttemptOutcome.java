package io.nebula.worker.observe;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.RunOutcome;

/** How one attempt ended, as seen by the worker after its write was accepted (or refused). */
public enum AttemptOutcome {
    SUCCEEDED,
    /** Failed for good (permanent error or attempts used up). */
    FAILED,
    /** Failed, and will be tried again after a backoff. */
    RETRY_SCHEDULED,
    CANCELLED,
    /** Handed back on shutdown without spending the attempt. */
    RELEASED,
    /** Released until a durable delay ends, or parked until a signal arrives. */
    WAITING,
    /** The lease was lost; nothing was written. */
    LEASE_LOST;

    /**
     * The label of an attempt whose outcome the store accepted, leaving the execution in {@code
     * state}: a terminal state names itself; an execution available again was retried after a
     * failure, released at once (shutdown) or waits (a delay, a signal).
     */
    public static AttemptOutcome of(RunOutcome outcome, ExecutionState state) {
        return switch (state) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            case AVAILABLE ->
                switch (outcome) {
                    case RunOutcome.Failed f -> RETRY_SCHEDULED;
                    case RunOutcome.Waiting w -> w.delay().isZero() ? RELEASED : WAITING;
                    case RunOutcome.AwaitingSignal a -> WAITING;
                    default -> RELEASED;
                };
            case RUNNING -> throw new IllegalStateException("a completion left the execution running");
        };
    }

    /** Whether the execution reached a terminal state with this attempt. */
    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
