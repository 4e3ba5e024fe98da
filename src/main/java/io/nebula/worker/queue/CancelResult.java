package io.nebula.worker.queue;

/** What a cancel request did. */
public enum CancelResult {
    /** The execution was not running and is now cancelled. */
    CANCELLED,
    /** The execution is running; its holder will see the request at its next heartbeat. */
    REQUESTED,
    /** The execution had already finished; nothing changed. */
    ALREADY_FINISHED,
    NOT_FOUND
}
