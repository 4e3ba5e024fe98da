package io.nebula.worker.queue;

import java.time.Instant;
import java.util.Objects;

/**
 * One failed try of a node: a retry inside an attempt, or the last try of a node that failed.
 * Successful tries are not listed: a node's own result row is its successful try, so a node that
 * succeeds at once records no try at all.
 *
 * @param attempt the execution attempt the try belongs to
 * @param tryNumber the try within that attempt, from 1
 * @param startedAt when the try started, by the worker's clock (informational only)
 * @param finishedAt when it failed, by the worker's clock (informational only)
 * @param error why it failed, as the action reported it
 */
public record NodeTry(int attempt, int tryNumber, Instant startedAt, Instant finishedAt, String error) {
    /** Errors longer than this are cut, so a chatty action cannot bloat its node's row. */
    public static final int MAX_ERROR_CHARS = 1000;

    public NodeTry {
        Objects.requireNonNull(error, "error");
        if (error.length() > MAX_ERROR_CHARS) {
            error = error.substring(0, MAX_ERROR_CHARS - 1) + "…";
        }
    }
}
