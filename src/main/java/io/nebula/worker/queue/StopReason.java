package io.nebula.worker.queue;

/** Why the worker asks a running execution to stop before it finishes. */
public enum StopReason {
    /** An operator cancelled it: the execution ends cancelled. */
    CANCELLED,
    /** The worker is shutting down: the execution is released, keeping its checkpoints. */
    SHUTDOWN,
    /** Another worker may hold it now: nothing more may be written for it. */
    LEASE_LOST
}
