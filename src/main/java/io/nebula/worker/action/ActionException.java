package io.nebula.worker.action;

import java.time.Instant;
import java.util.Objects;

/**
 * How an action reports that it did not produce a value. The {@link Kind} tells the runtime what
 * to do next: retry the node, fail it for good, or release the whole execution until a time.
 */
public final class ActionException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What the runtime does with the failure. */
    public enum Kind {
        /** Transient (timeouts, 5xx, 429): the node is retried per its policy, then the execution. */
        RETRYABLE,
        /** Will fail again the same way (bad input, 4xx): the execution fails. */
        PERMANENT,
        /**
         * Not a failure: the action needs to wait until {@link #resumeAt()}, longer than is worth
         * holding a worker slot. The node is recorded as succeeded and the execution released.
         */
        SUSPEND
    }

    private final Kind kind;
    private final transient Instant resumeAt;

    private ActionException(Kind kind, String message, Throwable cause, Instant resumeAt) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.kind = kind;
        this.resumeAt = resumeAt;
    }

    public static ActionException retryable(String message) {
        return new ActionException(Kind.RETRYABLE, message, null, null);
    }

    public static ActionException retryable(String message, Throwable cause) {
        return new ActionException(Kind.RETRYABLE, message, cause, null);
    }

    public static ActionException permanent(String message) {
        return new ActionException(Kind.PERMANENT, message, null, null);
    }

    public static ActionException permanent(String message, Throwable cause) {
        return new ActionException(Kind.PERMANENT, message, cause, null);
    }

    /**
     * Asks the runtime to finish the node now with output {@code {"until": resumeAt}} and release
     * the execution until {@code resumeAt}, so the worker slot is free meanwhile (a durable wait).
     */
    public static ActionException suspendUntil(Instant resumeAt, String reason) {
        return new ActionException(Kind.SUSPEND, reason, null, Objects.requireNonNull(resumeAt, "resumeAt"));
    }

    public Kind kind() {
        return kind;
    }

    public boolean isRetryable() {
        return kind == Kind.RETRYABLE;
    }

    /** The instant a {@link Kind#SUSPEND} asks to resume at, otherwise {@code null}. */
    public Instant resumeAt() {
        return resumeAt;
    }
}
