package io.nebula.worker.pool;

import io.nebula.worker.observe.AttemptOutcome;
import io.nebula.worker.observe.LogContext;
import io.nebula.worker.observe.PreviousAttempt;
import io.nebula.worker.observe.TraceSpan;
import io.nebula.worker.observe.Tracing;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.Completion;
import io.nebula.worker.queue.CompletionResult;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.runtime.ExecutionRunner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one claimed execution on its own virtual thread: runs the workflow (whose definition the
 * runtime reads through the attempt when this process has not compiled it), hands the outcome with
 * its lease to the publisher as a fenced completion, and gives the slot back in every case once
 * that is written or refused. Unexpected exceptions stop here: they are logged and the attempt fails as
 * retryable, so a bug never strands an execution in "running".
 */
final class ExecutionTask implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ExecutionTask.class);

    private final Running running;
    private final Map<String, NodeResult> checkpoints;
    private final PoolContext ctx;

    /**
     * @param checkpoints the execution's recorded node results, or {@code null} when they could not
     *     be loaded (the execution is then released untouched rather than run without them)
     */
    ExecutionTask(Running running, List<NodeResult> checkpoints, PoolContext ctx) {
        this.running = running;
        if (checkpoints == null) {
            this.checkpoints = null;
        } else if (checkpoints.isEmpty()) {
            this.checkpoints = Map.of();
        } else {
            this.checkpoints = new java.util.HashMap<>();
            for (NodeResult r : checkpoints) {
                this.checkpoints.put(r.nodeId(), r);
            }
        }
        this.ctx = ctx;
    }

    @Override
    public void run() {
        var claimed = running.claimed();
        Tracing tracing = ctx.tracing();
        if (tracing.enabled()) {
            // Before the try below gives the slot back on every path: nothing here may throw.
            try {
                running.trace(tracing.attempt(
                        running.event(),
                        claimed.traceparent(),
                        claimed.workflowHash(),
                        ctx.options().workerId(),
                        previousAttempt()));
            } catch (RuntimeException e) {
                log.warn("the attempt runs without a span: {}", e.toString());
            }
        }
        LogContext.Scope logContext = putContext();
        // Durations observed while the attempt runs (its queue wait, its nodes') carry its span.
        TraceSpan.Scope current = running.trace().makeCurrent();
        boolean handedOver = false;
        try {
            running.attach(Thread.currentThread());
            ctx.listener().executionStarted(running.event(), claimed.queued());
            RunOutcome outcome = runWorkflow();
            running.publishing();
            // Clear an interrupt aimed at the workflow so the outcome can still be written.
            Thread.interrupted();
            handedOver = publish(outcome);
        } finally {
            if (!handedOver) {
                // Ended already when the lease was lost; otherwise an error escaped the attempt.
                running.trace().end("released", "the attempt ended without an outcome");
                release();
            }
            current.close();
            clearContext(logContext);
        }
    }

    /**
     * The claim before this one, which the attempt's span links to, read from the history (only
     * with tracing on, for a claim that is not the first, in a trace the attempt continues).
     */
    private PreviousAttempt previousAttempt() {
        var claimed = running.claimed();
        if (claimed.leaseEpoch() <= 1 || !Tracing.valid(claimed.traceparent())) {
            return null;
        }
        try {
            return PreviousAttempt.of(ctx.store().historyList(claimed.id()), claimed.leaseEpoch());
        } catch (RuntimeException e) {
            // The link is decoration: whatever goes wrong reading it, the attempt runs.
            log.debug("cannot read the history for the span link: {}", e.toString());
            return PreviousAttempt.unknown(claimed.leaseEpoch());
        }
    }

    /**
     * The execution holds its slot and stays in flight (its lease kept alive) until its outcome is
     * acknowledged; then both are given back. Called once, on whichever thread ends the attempt.
     */
    private void release() {
        ctx.inFlight().remove(running);
        ctx.slots().give(1);
    }

    /** The attempt's fields for the log lines of this thread; its span's ids too when traced. */
    private LogContext.Scope putContext() {
        var claimed = running.claimed();
        LogContext.Scope scope = LogContext.execution(claimed.id(), claimed.attempt(), claimed.leaseEpoch());
        TraceSpan span = running.trace();
        String spanId = span.spanId();
        if (spanId != null) {
            MDC.put("trace_id", span.traceId());
            MDC.put("span_id", spanId);
        }
        return scope;
    }

    private void clearContext(LogContext.Scope scope) {
        scope.close();
        if (running.trace() != TraceSpan.OFF) {
            MDC.remove("trace_id");
            MDC.remove("span_id");
        }
    }

    private RunOutcome runWorkflow() {
        if (running.claimed().cancelRequested()) {
            return new RunOutcome.Stopped(StopReason.CANCELLED, List.of());
        }
        if (checkpoints == null) {
            return new RunOutcome.Stopped(StopReason.SHUTDOWN, List.of());
        }
        try {
            String keyScope;
            try {
                keyScope = ctx.keyScopes().of(running.claimed().id());
            } catch (StoreException e) {
                return released(e);
            }
            ExecutionRunner runner = ctx.runner();
            // The runtime reads the definition from the store only when this process has not
            // compiled it (the one definition cache is the runtime's workflow.Workflows).
            return runner.run(
                    new LeasedAttempt(running, checkpoints, ctx.publisher(), ctx.store(), keyScope, ctx.clock()));
        } catch (LeasedAttempt.DefinitionUnavailable e) {
            return released(e);
        } catch (RuntimeException | Error e) {
            StopReason stop = running.stopReason();
            if (stop != null) {
                return new RunOutcome.Stopped(stop, List.of());
            }
            log.error("execution failed with an unexpected error; it will be retried", e);
            return new RunOutcome.Failed("internal error: " + e, true, List.of());
        }
    }

    /**
     * The database, not the execution, is at fault: hand it back without spending the attempt, and
     * let it be claimed again shortly.
     */
    private static RunOutcome released(RuntimeException e) {
        log.warn(
                "cannot load the workflow definition, installation id or start time; releasing the execution: {}",
                e.getMessage());
        return new RunOutcome.Waiting(
                Duration.ofSeconds(1),
                "released: the workflow definition, installation id or start time could not be loaded",
                List.of(),
                "released");
    }

    /**
     * Hands the outcome to the publisher and returns at once: the thread that acknowledges the
     * write (the publisher's) finishes the attempt, so this thread does not park once per
     * execution waiting for a batch. True when the hand-over happened and the attempt's slot will
     * be given back by {@link #acknowledged}.
     */
    private boolean publish(RunOutcome outcome) {
        StopReason stop = running.stopReason();
        if (stop == StopReason.LEASE_LOST
                || outcome instanceof RunOutcome.Stopped s && s.reason() == StopReason.LEASE_LOST) {
            lost(false);
            return false;
        }
        Completion completion = new Completion(
                running.lease(), outcome, retryDelay(outcome), ctx.options().workerId());
        // Runs on the publisher's thread, once per execution of a batch: no MDC here (setting it
        // cost more than the rest of the callback); the rare warnings set it themselves.
        ctx.publisher().complete(completion).whenComplete((result, failure) -> {
            try {
                acknowledged(completion, result, failure);
            } finally {
                release();
            }
        });
        return true;
    }

    /** The pause before a failed attempt is due again; zero for every other outcome. */
    private Duration retryDelay(RunOutcome outcome) {
        if (!(outcome instanceof RunOutcome.Failed)) {
            return Duration.ZERO;
        }
        PoolOptions o = ctx.options();
        return Backoff.of(running.claimed().attempt(), o.retryBackoff(), o.retryBackoffMax());
    }

    private void acknowledged(Completion completion, CompletionResult result, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause()
                    : failure;
            LogContext.Scope scope = putContext();
            try {
                log.warn(
                        "could not write the outcome: {}; the execution returns to the queue when its lease expires",
                        cause.getMessage());
                lost(true);
            } finally {
                clearContext(scope);
            }
            return;
        }
        if (!result.applied()) {
            LogContext.Scope scope = putContext();
            try {
                lost(false);
            } finally {
                clearContext(scope);
            }
            return;
        }
        RunOutcome outcome = completion.outcome();
        AttemptOutcome o = AttemptOutcome.of(outcome, result.state());
        if (result.state() == io.nebula.worker.queue.ExecutionState.CANCELLED) {
            cancelChildren(result.state());
        } else if (result.state() == io.nebula.worker.queue.ExecutionState.FAILED
                && outcome instanceof RunOutcome.Failed f
                && f.startsChildren()) {
            cancelChildren(result.state());
        }
        String error = outcome instanceof RunOutcome.Failed f ? f.error() : null;
        Duration took = Duration.ofNanos(ctx.clock().nanoTime() - running.startedNanos());
        TraceSpan span = running.trace();
        if (span == TraceSpan.OFF) {
            ctx.listener().executionEnded(running.event(), o, took, error);
        } else {
            if (o == AttemptOutcome.WAITING) {
                switch (outcome) {
                    case RunOutcome.Waiting w -> span.waitsFor(w.kind(), w.delay(), w.reason());
                    case RunOutcome.AwaitingSignal a -> span.waitsFor(a.waits(), a.reason());
                    default -> {}
                }
            }
            span.end(o.name().toLowerCase(java.util.Locale.ROOT), error);
            // Only when traced: the records of the attempt's end carry its trace ids too, and its
            // duration its span as exemplar.
            MDC.put("trace_id", span.traceId());
            MDC.put("span_id", span.spanId());
            try (TraceSpan.Scope current = span.makeCurrent()) {
                ctx.listener().executionEnded(running.event(), o, took, error);
            } finally {
                MDC.remove("trace_id");
                MDC.remove("span_id");
            }
        }
        if (log.isDebugEnabled()) {
            log.debug(
                    "attempt ended execution_id={} lease_epoch={} outcome={} took_ms={}",
                    running.claimed().id(),
                    running.claimed().leaseEpoch(),
                    o,
                    took.toMillis());
        }
    }

    /**
     * The execution ended cancelled, or failed for good (its timeout included), while this worker
     * held it: its children that have not finished are cancelled too, on a thread of their own (this
     * one writes the other outcomes of the batch), while it is still in {@code ended}, the state the
     * outcome's write left it in (see {@link SubWorkflows#cancelChildrenOfEnded}).
     */
    private void cancelChildren(io.nebula.worker.queue.ExecutionState ended) {
        long id = running.claimed().id();
        Thread.ofVirtual()
                .name("nebula-cancel-children-" + id)
                .start(() -> SubWorkflows.cancelChildrenOfEnded(
                        ctx.store(), id, s -> s == ended, ctx.options().workerId()));
    }

    /** @param unwritten the outcome could not be written (the lease may still be held until it expires) */
    private void lost(boolean unwritten) {
        if (unwritten) {
            running.trace().end("lease_lost", "the outcome could not be written");
        } else {
            log.warn("lease lost; nothing more is written for this execution");
            running.trace().end("lease_lost", "the lease was lost; nothing was written");
        }
        WorkerListener l = ctx.listener();
        l.leaseLost(running.event());
        l.executionEnded(
                running.event(),
                AttemptOutcome.LEASE_LOST,
                Duration.ofNanos(ctx.clock().nanoTime() - running.startedNanos()),
                null);
    }
}
