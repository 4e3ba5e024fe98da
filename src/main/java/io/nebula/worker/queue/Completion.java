package io.nebula.worker.queue;

import java.time.Duration;
import java.util.List;

/**
 * The end of one attempt, written fenced by the lease: the attempt's {@link RunOutcome} as the
 * runtime returned it, plus what only the worker knows. The outcome's unsaved node results (for
 * example the last node of the workflow) are written in the same transaction as the state change.
 *
 * <p>What each outcome writes:
 *
 * <ul>
 *   <li>{@link RunOutcome.Succeeded}: the workflow finished; if a cancel was requested meanwhile
 *       the execution ends cancelled.
 *   <li>{@link RunOutcome.Failed}: a retryable failure with attempts left goes back to available
 *       after {@code retryDelay}; otherwise the execution fails for good ("max retries exceeded"
 *       when the error was retryable).
 *   <li>{@link RunOutcome.Waiting}: handed back without spending the attempt, due again after its
 *       delay, checkpoints kept.
 *   <li>{@link RunOutcome.AwaitingSignal}: handed back without spending the attempt, checkpoints
 *       kept, parked until a delivery or the earliest timeout makes it due; a signal delivered
 *       before the park makes it due at once.
 *   <li>{@link RunOutcome.Stopped} for {@link StopReason#SHUTDOWN}: handed back at once without
 *       spending the attempt, noted as released by {@code workerId}.
 *   <li>{@link RunOutcome.Stopped} for {@link StopReason#CANCELLED}: the holder saw a cancel
 *       request and stopped; the execution ends cancelled.
 * </ul>
 *
 * A lost lease ({@link StopReason#LEASE_LOST}) writes nothing, so it is no completion.
 *
 * @param retryDelay the pause before a retryable {@link RunOutcome.Failed} is due again (zero for
 *     the other outcomes)
 * @param workerId the worker ending the attempt, named in the note of a shutdown release
 */
public record Completion(LeaseRef lease, RunOutcome outcome, Duration retryDelay, String workerId) {
    public Completion {
        retryDelay = retryDelay == null ? Duration.ZERO : retryDelay;
        if (outcome instanceof RunOutcome.Stopped s && s.reason() == StopReason.LEASE_LOST) {
            throw new IllegalArgumentException("a lost lease writes nothing");
        }
        if (outcome instanceof RunOutcome.AwaitingSignal a && a.waits().isEmpty()) {
            throw new IllegalArgumentException("a signal wait needs at least one signal");
        }
    }

    /** The node results not yet checkpointed, written with the state change. */
    public List<NodeResult> nodes() {
        return outcome.unsaved();
    }

    /**
     * The note the store keeps with the transition: the outcome's reason (a failure's error), the
     * fixed note of a cancel acknowledgement or of a shutdown release; {@code null} for a success.
     */
    public String reason() {
        return switch (outcome) {
            case RunOutcome.Succeeded x -> null;
            case RunOutcome.Failed f -> f.error();
            case RunOutcome.Waiting w -> w.reason();
            case RunOutcome.AwaitingSignal a -> a.reason();
            case RunOutcome.Stopped x ->
                x.reason() == StopReason.CANCELLED
                        ? "cancelled on request"
                        : "released by worker " + workerId + " shutting down";
        };
    }
}
