package io.nebula.worker.queue;

/**
 * What delivering a signal did.
 *
 * @param state the execution's state when the signal was delivered ({@code null} when not found)
 * @param woke whether the delivery made a parked execution due again
 */
public record SignalDelivery(Outcome outcome, ExecutionState state, boolean woke) {
    /** The kinds of answer. */
    public enum Outcome {
        /** Stored; the waiting node (now or later) gets its data. */
        DELIVERED,
        /** The same signal was delivered before; the first delivery stands and nothing changed. */
        DUPLICATE,
        /** The execution has finished: a signal can change nothing, so it is refused. */
        FINISHED,
        NOT_FOUND
    }
}
