package io.nebula.worker.inspect;

import java.util.List;
import java.util.Locale;

/**
 * The answer to "why is this execution not running?": the first reason, in one plain sentence,
 * with further facts that also matter and the operator's next step when there is one.
 *
 * @param reason the machine-readable reason (stable, printed as {@link Reason#code()})
 * @param summary one sentence naming the reason, with the times and names involved
 * @param notes further conditions that would hold the execution back after the first one clears
 * @param hint what an operator can do about it, or {@code null}
 */
public record Explanation(Reason reason, String summary, List<String> notes, String hint) {
    public Explanation {
        notes = List.copyOf(notes);
    }

    /** Why an execution is where it is, in the order {@link Explainer} checks them. */
    public enum Reason {
        /** Finished successfully. */
        SUCCEEDED,
        /** Finished with an error (permanent, or retries used up). */
        FAILED,
        /** Failed as poison: the workers running it kept dying. */
        QUARANTINED,
        /** Finished because someone cancelled it. */
        CANCELLED,
        /** Running, and a cancel was requested; the holder stops it at its next heartbeat. */
        CANCEL_REQUESTED,
        /** Marked running, but its lease ran out: the next rescue puts it back in the queue. */
        LEASE_EXPIRED,
        /** Running on a worker that has not sent a heartbeat recently. */
        WORKER_SILENT,
        /** Running normally. */
        RUNNING,
        /** Waiting for a durable delay (a {@code delay} node) to end. */
        DURABLE_WAIT,
        /** Parked by a {@code signal} node until a signal is delivered (or its wait times out). */
        SIGNAL_WAIT,
        /** Waiting out the backoff after a failed attempt. */
        RETRY_BACKOFF,
        /** Submitted with a delay or run-at time that has not come yet. */
        SCHEDULED,
        /** Its queue is paused. */
        QUEUE_PAUSED,
        /** No live worker claims from its queue. */
        NO_LIVE_WORKER,
        /** Its queue runs as many executions at once as its limit allows. */
        QUEUE_AT_LIMIT,
        /** Every live worker on its queue has all its slots in use. */
        WORKERS_BUSY,
        /** Due, behind other due executions of its queue. */
        WAITING_TURN,
        /** Due and first in line; a worker should claim it at its next poll. */
        NEXT_IN_LINE;

        /** The lower-case name printed by {@code --json}. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
