package io.nebula.worker.action;

import io.nebula.worker.observe.TraceSpan;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an action knows about the node it runs for. Immutable except for the cancellation signal,
 * which the runtime flips when the node times out or the execution is stopped (the action's
 * thread is interrupted at the same moment).
 *
 * <p>The runtime puts {@code execution_id} and {@code node_id} into the SLF4J MDC of the thread
 * that calls the action, so lines logged through {@link #logger()} carry them.
 *
 * <p>A context is made with {@link #builder(long, String)}; {@link ActionTestHarness} makes one
 * for tests of an action.
 */
public final class ActionContext {
    private final long executionId;
    private final String nodeId;
    private final int attempt;
    private final int nodeAttempt;
    private final Instant startedAt;
    private final Instant deadline;
    private final BooleanSupplier cancellation;
    private final Logger logger;
    private final SignalInbox signals;
    private final String keyScope;
    private final TraceSpan trace;
    private final int itemIndex;
    private final ValueBudget values;

    private ActionContext(Builder b) {
        this.executionId = b.executionId;
        this.nodeId = Objects.requireNonNull(b.nodeId, "nodeId");
        this.attempt = b.attempt;
        this.nodeAttempt = b.nodeAttempt;
        this.startedAt = Objects.requireNonNull(b.startedAt, "startedAt");
        this.deadline = Objects.requireNonNull(b.deadline, "deadline");
        this.cancellation = Objects.requireNonNull(b.cancellation, "cancellation");
        this.logger = b.logger != null ? b.logger : LoggerFactory.getLogger("io.nebula.worker.action");
        this.signals = b.signals != null ? b.signals : SignalInbox.NONE;
        this.keyScope = b.keyScope;
        this.trace = b.trace != null ? b.trace : TraceSpan.OFF;
        this.itemIndex = b.itemIndex;
        this.values = b.values != null ? b.values : ValueBudget.UNLIMITED;
    }

    /**
     * A context for node {@code nodeId} of execution {@code executionId}. {@link
     * Builder#startedAt} and {@link Builder#deadline} must be set; everything else has a default:
     * attempt and node try 1, never cancelled, the {@code io.nebula.worker.action} logger, no
     * signals, no installation id, no trace, a node that runs once, no bound on JSON values.
     */
    public static Builder builder(long executionId, String nodeId) {
        return new Builder(executionId, nodeId);
    }

    /** The execution this node belongs to. */
    public long executionId() {
        return executionId;
    }

    /** The node's id in the workflow. */
    public String nodeId() {
        return nodeId;
    }

    /** The execution attempt, 1 for the first; node retries inside one attempt share it. */
    public int attempt() {
        return attempt;
    }

    /** The try of this node within this execution attempt, 1 for the first. */
    public int nodeAttempt() {
        return nodeAttempt;
    }

    /** When the node first started in this execution attempt (before any node retry). */
    public Instant startedAt() {
        return startedAt;
    }

    /** When the node's timeout fires; the action should not plan work past it. */
    public Instant deadline() {
        return deadline;
    }

    /** The cancellation signal; see {@link #isCancelled()}. */
    public BooleanSupplier cancellation() {
        return cancellation;
    }

    /** The logger to log through; the MDC carries {@code execution_id} and {@code node_id}. */
    public Logger logger() {
        return logger;
    }

    /** The signals sent to this execution (see {@link SignalInbox}). */
    public SignalInbox signals() {
        return signals;
    }

    /**
     * What {@link #idempotencyKey()} starts with: the store's installation id, or {@code null} for
     * an execution submitted before its store had one (and for tests).
     */
    public String keyScope() {
        return keyScope;
    }

    /**
     * This node try's span: an action calling another service starts a client span from it and
     * sends that span's {@code traceparent} along ({@link TraceSpan#OFF} when tracing is off).
     */
    public TraceSpan trace() {
        return trace;
    }

    /**
     * For one item of a node with {@code map}, the item's position in the node's items (from 0);
     * -1 for a node that runs once.
     */
    public int itemIndex() {
        return itemIndex;
    }

    /**
     * A key that is the same for every run of this node of this execution, across node retries,
     * execution attempts and workers, and different from the keys of every other store: {@code
     * "<installation id>:<executionId>:<nodeId>"}; for one item of a map node, the item's index
     * follows: {@code "<installation id>:<executionId>:<nodeId>:<index>"}. An execution submitted
     * before its store had an installation id keeps the keys its nodes were sent with then, without
     * the installation id: {@code "<executionId>:<nodeId>"} and {@code
     * "<executionId>:<nodeId>:<index>"}.
     */
    public String idempotencyKey() {
        String key = executionId + ":" + nodeId;
        if (keyScope != null) {
            key = keyScope + ":" + key;
        }
        return itemIndex < 0 ? key : key + ":" + itemIndex;
    }

    /** Whether this run is one item of a node with {@code map}. */
    public boolean isMapItem() {
        return itemIndex >= 0;
    }

    /** True once the node timed out or the execution is being stopped; stop work soon after. */
    public boolean isCancelled() {
        return cancellation.getAsBoolean();
    }

    /** What JSON values the node may still bring into its execution; see {@link ValueBudget}. */
    public ValueBudget values() {
        return values;
    }

    @Override
    public String toString() {
        return "ActionContext[" + idempotencyKey() + ", attempt " + attempt + ", try " + nodeAttempt + "]";
    }

    /** Collects a context's fields; {@link #build()} checks them. */
    public static final class Builder {
        private final long executionId;
        private final String nodeId;
        private int attempt = 1;
        private int nodeAttempt = 1;
        private Instant startedAt;
        private Instant deadline;
        private BooleanSupplier cancellation = () -> false;
        private Logger logger;
        private SignalInbox signals;
        private String keyScope;
        private TraceSpan trace;
        private int itemIndex = -1;
        private ValueBudget values;

        private Builder(long executionId, String nodeId) {
            this.executionId = executionId;
            this.nodeId = nodeId;
        }

        /** The execution attempt (default 1). */
        public Builder attempt(int attempt) {
            this.attempt = attempt;
            return this;
        }

        /** The try of the node within the execution attempt (default 1). */
        public Builder nodeAttempt(int nodeAttempt) {
            this.nodeAttempt = nodeAttempt;
            return this;
        }

        /** When the node first started in this execution attempt (required). */
        public Builder startedAt(Instant startedAt) {
            this.startedAt = startedAt;
            return this;
        }

        /** When the node's timeout fires (required). */
        public Builder deadline(Instant deadline) {
            this.deadline = deadline;
            return this;
        }

        /** Answers true once the node is to stop (default: never). */
        public Builder cancellation(BooleanSupplier cancellation) {
            this.cancellation = cancellation;
            return this;
        }

        /** The action's logger ({@code null}: the {@code io.nebula.worker.action} logger). */
        public Builder logger(Logger logger) {
            this.logger = logger;
            return this;
        }

        /** The execution's signals ({@code null}: {@link SignalInbox#NONE}). */
        public Builder signals(SignalInbox signals) {
            this.signals = signals;
            return this;
        }

        /** The installation id the idempotency key starts with ({@code null}: none). */
        public Builder keyScope(String keyScope) {
            this.keyScope = keyScope;
            return this;
        }

        /** The node try's span ({@code null}: {@link TraceSpan#OFF}). */
        public Builder trace(TraceSpan trace) {
            this.trace = trace;
            return this;
        }

        /** The map item's index, from 0 (default -1: a node that runs once). */
        public Builder itemIndex(int itemIndex) {
            this.itemIndex = itemIndex;
            return this;
        }

        /** The execution's budget of JSON values ({@code null}: {@link ValueBudget#UNLIMITED}). */
        public Builder values(ValueBudget values) {
            this.values = values;
            return this;
        }

        /**
         * The context.
         *
         * @throws NullPointerException naming the field when the node id, start time, deadline or
         *     cancellation signal is missing
         */
        public ActionContext build() {
            return new ActionContext(this);
        }
    }
}
