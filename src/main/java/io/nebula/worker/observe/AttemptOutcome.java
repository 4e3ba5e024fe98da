package io.nebula.worker.observe;

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

    /** Whether the execution reached a terminal state with this attempt. */
    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
