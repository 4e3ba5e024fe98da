package io.nebula.worker.observe;

import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.RescueResult;
import java.time.Duration;
import java.util.List;

/**
 * The one narrow channel through which the worker reports what it does. Metrics, tracing and
 * tests listen here; every method has a no-op default. Methods are called on worker threads and
 * must be fast and must not throw.
 */
public interface WorkerListener {
    WorkerListener NONE = new WorkerListener() {};

    /** A claim asked for {@code requested} executions and got {@code received}. */
    default void claimed(int requested, int received) {}

    /** An attempt started; {@code queued} is how long it waited since it was due. */
    default void executionStarted(ExecutionEvent e, Duration queued) {}

    /** An attempt ended and its outcome was written (or refused, for LEASE_LOST). */
    default void executionEnded(ExecutionEvent e, AttemptOutcome outcome, Duration took, String error) {}

    default void nodeStarted(ExecutionEvent e, String nodeId, String action, int nodeAttempt) {}

    /**
     * {@code status} is succeeded, failed, skipped, retrying, or waiting (a {@code signal} node whose
     * signal has not arrived: the execution will be parked).
     */
    default void nodeEnded(
            ExecutionEvent e, String nodeId, String action, String status, Duration took, String error) {}

    /** A lease could not be extended or a fenced write was refused. */
    default void leaseLost(ExecutionEvent e) {}

    /** A heartbeat ran; {@code ok} is false when the statement failed. */
    default void heartbeat(boolean ok, int leases, Duration took) {}

    /** This worker, as leader, rescued expired leases. */
    default void rescued(RescueResult result) {}

    /** This worker, as leader, pruned finished executions. */
    default void pruned(int count) {}

    /** Fresh queue statistics (computed at an interval, never per scrape). */
    default void queueStats(List<QueueStats> stats) {}

    /** The limits on running executions of the queues that have one, by queue, read with the statistics. */
    default void queueLimits(java.util.Map<String, Integer> limits) {}

    /**
     * This worker's scheduler fired schedule {@code schedule}; {@code lag} is how long after the
     * fire time the execution was submitted.
     */
    default void scheduleFired(String schedule, Duration lag) {}

    /**
     * This worker's scheduler skipped {@code count} fire times of {@code schedule}: {@code
     * overlap} (the previous execution still ran) or {@code missed} (past the catch-up after an
     * outage).
     */
    default void scheduleSkipped(String schedule, String reason, long count) {}

    /** This process became (or stopped being) the maintenance leader. */
    default void leadership(boolean leader) {}

    /** Combines listeners; each is called in order and a throwing listener does not stop the rest. */
    static WorkerListener compose(List<WorkerListener> listeners) {
        return new CompositeListener(List.copyOf(listeners));
    }
}
