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
 * @param executionId the execution this node belongs to
 * @param nodeId the node's id in the workflow
 * @param attempt the execution attempt, 1 for the first; node retries inside one attempt share it
 * @param nodeAttempt the try of this node within this execution attempt, 1 for the first
 * @param startedAt when the node first started in this execution attempt (before any node retry)
 * @param deadline when the node's timeout fires; the action should not plan work past it
 * @param signals the signals sent to this execution (see {@link SignalInbox})
 * @param keyScope what {@link #idempotencyKey()} starts with: the store's installation id, or
 *     {@code null} for an execution submitted before its store had one (and for tests)
 * @param trace this node try's span: an action calling another service starts a client span
 *     from it and sends that span's {@code traceparent} along ({@link TraceSpan#OFF} when tracing
 *     is off)
 * @param itemIndex for one item of a node with {@code map}, the item's position in the node's
 *     items (from 0); -1 for a node that runs once
 */
public record ActionContext(
        long executionId,
        String nodeId,
        int attempt,
        int nodeAttempt,
        Instant startedAt,
        Instant deadline,
        BooleanSupplier cancellation,
        Logger logger,
        SignalInbox signals,
        String keyScope,
        TraceSpan trace,
        int itemIndex) {

    public ActionContext {
        if (trace == null) {
            trace = TraceSpan.OFF;
        }
        Objects.requireNonNull(nodeId, "nodeId");
        if (signals == null) {
            signals = SignalInbox.NONE;
        }
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(cancellation, "cancellation");
        if (logger == null) {
            logger = LoggerFactory.getLogger("io.nebula.worker.action");
        }
    }

    /** A context for a node that runs once, outside any trace. */
    public ActionContext(
            long executionId,
            String nodeId,
            int attempt,
            int nodeAttempt,
            Instant startedAt,
            Instant deadline,
            BooleanSupplier cancellation,
            Logger logger,
            SignalInbox signals,
            String keyScope) {
        this(
                executionId,
                nodeId,
                attempt,
                nodeAttempt,
                startedAt,
                deadline,
                cancellation,
                logger,
                signals,
                keyScope,
                TraceSpan.OFF,
                -1);
    }

    /** A context for a node that runs once. */
    public ActionContext(
            long executionId,
            String nodeId,
            int attempt,
            int nodeAttempt,
            Instant startedAt,
            Instant deadline,
            BooleanSupplier cancellation,
            Logger logger,
            SignalInbox signals,
            String keyScope,
            TraceSpan trace) {
        this(
                executionId,
                nodeId,
                attempt,
                nodeAttempt,
                startedAt,
                deadline,
                cancellation,
                logger,
                signals,
                keyScope,
                trace,
                -1);
    }

    /** A context outside any trace. */
    public ActionContext(
            long executionId,
            String nodeId,
            int attempt,
            int nodeAttempt,
            Instant startedAt,
            Instant deadline,
            BooleanSupplier cancellation,
            Logger logger,
            SignalInbox signals,
            String keyScope,
            int itemIndex) {
        this(
                executionId,
                nodeId,
                attempt,
                nodeAttempt,
                startedAt,
                deadline,
                cancellation,
                logger,
                signals,
                keyScope,
                TraceSpan.OFF,
                itemIndex);
    }

    /** A context for a node that runs once, without an installation id, outside any trace (tests). */
    public ActionContext(
            long executionId,
            String nodeId,
            int attempt,
            int nodeAttempt,
            Instant startedAt,
            Instant deadline,
            BooleanSupplier cancellation,
            Logger logger,
            SignalInbox signals) {
        this(executionId, nodeId, attempt, nodeAttempt, startedAt, deadline, cancellation, logger, signals, null);
    }

    /** A context without signals (actions that do not read them, tests). */
    public ActionContext(
            long executionId,
            String nodeId,
            int attempt,
            int nodeAttempt,
            Instant startedAt,
            Instant deadline,
            BooleanSupplier cancellation,
            Logger logger) {
        this(executionId, nodeId, attempt, nodeAttempt, startedAt, deadline, cancellation, logger, SignalInbox.NONE);
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
}
