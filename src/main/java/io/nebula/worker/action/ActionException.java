package io.nebula.worker.action;

import java.time.Duration;
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
        SUSPEND,
        /**
         * Not a failure: the node cannot finish before the signal {@link #signalName()} arrives.
         * Nothing is recorded for the node; once nothing else can run, the execution is parked
         * (its slot freed) until that signal is delivered or {@link #signalTimeout()} passes, and
         * the node then runs again.
         */
        AWAIT_SIGNAL
    }

    private final Kind kind;
    private final transient Instant resumeAt;
    private final String signalName;
    private final transient Duration signalTimeout;

    private ActionException(
            Kind kind, String message, Throwable cause, Instant resumeAt, String signalName, Duration signalTimeout) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.kind = kind;
        this.resumeAt = resumeAt;
        this.signalName = signalName;
        this.signalTimeout = signalTimeout;
    }

    private ActionException(Kind kind, String message, Throwable cause, Instant resumeAt) {
        this(kind, message, cause, resumeAt, null, null);
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
     * Asks the runtime to park the execution until the signal {@code name} is delivered (the node
     * then runs again and finds it), or until {@code timeout} has passed since the wait began
     * ({@code null}: no timeout).
     */
    public static ActionException awaitSignal(String name, Duration timeout) {
        return new ActionException(
                Kind.AWAIT_SIGNAL,
                "waiting for signal '" + name + "'",
                null,
                null,
                Objects.requireNonNull(name, "name"),
                timeout);
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

    /** The signal a {@link Kind#AWAIT_SIGNAL} waits for, otherwise {@code null}. */
    public String signalName() {
        return signalName;
    }

    /** How long a {@link Kind#AWAIT_SIGNAL} waits at most, or {@code null} for ever. */
    public Duration signalTimeout() {
        return signalTimeout;
    }
}
