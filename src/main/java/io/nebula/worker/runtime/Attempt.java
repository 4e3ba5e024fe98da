package io.nebula.worker.runtime;

import io.nebula.worker.action.SignalInbox;
import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.TraceSpan;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.workflow.StoredDefinition;
import java.util.List;
import java.util.Map;

/**
 * One attempt at one execution, as the worker hands it to the runtime. The runtime runs the
 * workflow on the calling thread and reports back through {@link #checkpoint}; it never talks to
 * the store directly, so every write stays fenced by the worker's lease. As a {@link
 * StoredDefinition} it names the definition the execution was submitted with; the runtime asks
 * for its text only when the process has not compiled it.
 */
public interface Attempt extends StoredDefinition {
    long executionId();

    /** Identifies this attempt in listener events (tracing, metrics). */
    ExecutionEvent event();

    /** 1 for the first attempt; a graceful release gives the attempt back. */
    int attempt();

    @Override
    String workflowHash();

    /**
     * The stored (canonical) definition this execution was submitted with. Asked for only when
     * the process has not compiled it; may read the store.
     */
    @Override
    String definitionJson();

    String inputJson();

    /** Node results recorded by earlier attempts, by node id: succeeded nodes are not run again. */
    Map<String, NodeResult> checkpoints();

    /**
     * Records a node result before its dependents start. Blocks until it is durable.
     *
     * @return {@code false} when the lease was lost: the runtime must stop and write nothing more
     */
    boolean checkpoint(NodeResult result) throws InterruptedException;

    /**
     * Records several results at once (nodes that finished independently) before any of their
     * dependents start; blocks until all are durable. The default writes them one by one with
     * {@link #checkpoint}; an implementation that can write them in one round trip should
     * override it.
     *
     * @return {@code false} when the lease was lost: the runtime must stop and write nothing more
     */
    default boolean checkpointAll(List<NodeResult> results) throws InterruptedException {
        for (NodeResult r : results) {
            if (!checkpoint(r)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The signals sent to this execution, for {@code signal} nodes. The default has none (an
     * attempt without a store).
     */
    default SignalInbox signals() {
        return SignalInbox.NONE;
    }

    /**
     * What the idempotency keys of this execution's nodes start with (see {@link
     * io.nebula.worker.action.ActionContext#idempotencyKey()}): the store's installation id, or
     * {@code null} for an execution submitted before the store had one. The default is {@code
     * null} (an attempt without a store).
     */
    default String keyScope() {
        return null;
    }

    /**
     * This attempt's span: node tries become its children. {@link TraceSpan#OFF} by default (no
     * tracing).
     */
    default TraceSpan trace() {
        return TraceSpan.OFF;
    }

    /**
     * Starts and reads the child executions of sub-workflow nodes. The default has none (an
     * attempt without a store): such a node fails.
     */
    default ChildWorkflows children() {
        return ChildWorkflows.NONE;
    }

    /**
     * How long ago the execution first started (its first claim), by the store's clock: what its
     * workflow's {@code timeout_seconds} is counted against. Asked once per attempt, only for a
     * workflow with a timeout; may read the store. The default is zero (an attempt without a
     * store).
     */
    default java.time.Duration sinceStart() {
        return java.time.Duration.ZERO;
    }

    /**
     * When the execution first started (its first claim since it was submitted or retried by
     * hand), by the store's clock; {@code null} when unknown. Asked once per attempt, only by a
     * map over a workflow node; may read the store. The default is {@code null}.
     */
    default java.time.Instant startedAt() {
        return null;
    }

    /**
     * Why the worker wants this attempt to stop, or {@code null} while it may go on. When this
     * turns non-null the worker also interrupts the attempt's thread.
     */
    StopReason stopRequested();
}
