package io.nebula.worker.queue;

import java.time.Duration;
import java.util.List;

/**
 * Completions written by hand in tests, in the terms of the store's statements: a success, a
 * failure with its retry pause, a release with its note and delay, a signal park, a cancel
 * acknowledgement.
 */
public final class Completions {
    private Completions() {}

    /** A success with the workflow's output. */
    public static Completion succeed(LeaseRef lease, String outputJson, List<NodeResult> nodes) {
        return new Completion(lease, new RunOutcome.Succeeded(outputJson, nodes), Duration.ZERO, null);
    }

    /** A failure, retried after {@code retryDelay} when retryable and attempts are left. */
    public static Completion fail(
            LeaseRef lease, String error, boolean retryable, Duration retryDelay, List<NodeResult> nodes) {
        return new Completion(lease, new RunOutcome.Failed(error, retryable, nodes), retryDelay, null);
    }

    /** A hand-back noted with {@code reason}, due again after {@code delay}. */
    public static Completion release(LeaseRef lease, String reason, Duration delay, List<NodeResult> nodes) {
        return new Completion(
                lease,
                new RunOutcome.Waiting(delay == null ? Duration.ZERO : delay, reason, nodes, "released"),
                Duration.ZERO,
                null);
    }

    /**
     * A wait for child executions only, due again after {@code delay} or as soon as a child of the
     * execution ends.
     */
    public static Completion awaitChildren(LeaseRef lease, String reason, Duration delay) {
        return new Completion(
                lease, new RunOutcome.Waiting(delay, reason, List.of(), "sub_workflow"), Duration.ZERO, null);
    }

    /** A park until one of {@code waits} is delivered or times out. */
    public static Completion awaitSignal(
            LeaseRef lease, String reason, List<SignalWait> waits, List<NodeResult> nodes) {
        return new Completion(lease, new RunOutcome.AwaitingSignal(waits, reason, nodes), Duration.ZERO, null);
    }

    /** The acknowledgement of a cancel request. */
    public static Completion cancel(LeaseRef lease, List<NodeResult> nodes) {
        return new Completion(lease, new RunOutcome.Stopped(StopReason.CANCELLED, nodes), Duration.ZERO, null);
    }
}
