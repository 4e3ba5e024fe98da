package io.nebula.worker.queue;

import io.nebula.worker.config.WorkerIds;

/**
 * Writes on an operator's behalf (or a client's): cancel and retry of executions, pausing and
 * creating queues, and signals delivered to executions.
 */
public interface OperatorStore {

    /**
     * Cancels a waiting execution at once, or asks the holder of a running one to stop. {@code
     * reason} is recorded and kept to the end; {@code by} names who asked (an operator as {@code
     * user@host}) and is recorded in the history in place of the last lease holder, or {@code null}.
     */
    CancelResult executionCancel(long id, String reason, String by);

    /** As {@link #executionCancel(long, String, String)}, by whoever runs this process. */
    default CancelResult executionCancel(long id, String reason) {
        return executionCancel(id, reason, WorkerIds.operator());
    }

    /**
     * Re-queues a failed or cancelled execution, keeping its succeeded nodes unless asked not to.
     * {@code by} is recorded in the history as for {@link #executionCancel(long, String, String)}.
     */
    RetryResult executionRetry(long id, boolean fromScratch, String by);

    /** As {@link #executionRetry(long, boolean, String)}, by whoever runs this process. */
    default RetryResult executionRetry(long id, boolean fromScratch) {
        return executionRetry(id, fromScratch, WorkerIds.operator());
    }

    /** Pauses or resumes claiming from a queue; a queue not known yet becomes known. */
    void queuePause(String queue, boolean paused);

    /** Makes a queue known (an operator's {@code queues create}); {@code false} when it already was. */
    boolean queueCreate(String queue);

    /**
     * Limits how many executions of a queue run at once across every worker ({@code maxRunning} at
     * least 1), or lifts its limit ({@code null}); a queue not known yet becomes known. Executions
     * already running are not stopped: claims wait until the queue is under its new limit.
     */
    void queueLimit(String queue, Integer maxRunning);

    /**
     * Delivers signal {@code name} with {@code dataJson} to an execution that has not finished. The
     * first delivery of a name is kept and later ones change nothing ({@code DUPLICATE}); a
     * delivery before any node waits is kept for the node that will. When a node has parked the
     * execution waiting for this signal, the execution becomes due at once ({@code woke}).
     *
     * @throws SubmitRejectedException when the data is not acceptable JSON (size, NUL, UTF-8)
     */
    default SignalDelivery signalSend(long executionId, String name, String dataJson) {
        return signalSend(executionId, name, dataJson, null);
    }

    /**
     * As {@link #signalSend(long, String, String)}, crediting {@code by} (an operator, e.g.
     * {@code alice@laptop}) with the wake-up in the execution's history; with {@code null} the
     * history names the execution's last holder, as for any transition nobody is credited with.
     */
    SignalDelivery signalSend(long executionId, String name, String dataJson, String by);
}
