package io.nebula.worker.runtime;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ValueBudget;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.LogContext;
import io.nebula.worker.observe.TraceSpan;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.MapItems;
import io.nebula.worker.queue.NodeTry;
import io.nebula.worker.workflow.JsonText;
import io.nebula.worker.workflow.NodeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

/**
 * Runs one node to an outcome: its tries, the backoff between them, and each try's timeout.
 *
 * <p>The task runs on its own virtual thread and calls the action on a second one, so a timeout or
 * a stop can return promptly even when an action ignores interrupts: the action's thread is
 * interrupted, its context turns cancelled, and it gets {@link RuntimeOptions#stopGrace()} to end
 * before the task gives up on it.
 */
final class NodeTask {
    private final NodeSpec node;
    /** What outcomes and events name: the node's id, or {@code id[index]} for a map item. */
    private final String key;
    /** The item's index for one item of a map node, else -1. */
    private final int itemIndex;

    private final Action action;
    private final JsonNode params;
    private final Attempt attempt;
    private final RuntimeOptions options;
    private final WorkerListener listener;
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** The logger of each action by name, made once rather than looked up for every node run. */
    private static final Map<String, Logger> ACTION_LOGGERS = new ConcurrentHashMap<>();

    private final Logger log;
    private Instant started;
    private int nextTry = 1;
    /** Tries that failed so far, recorded with the node's result (none when the first succeeds). */
    private final List<NodeTry> failedTries = new ArrayList<>();
    /** Characters of error text {@link #failedTries} holds. */
    private long triesChars;

    /**
     * Error text the failed tries of one node (or map item) keep together at full length ({@link
     * NodeTry#MAX_ERROR_CHARS} each); past it, each further try keeps {@link #SHORT_TRY_ERROR}
     * characters, so a thousand items retrying a hundred times each cannot fill the heap with
     * their errors.
     */
    static final int TRIES_CHARS = 8_192;

    static final int SHORT_TRY_ERROR = 120;

    private String triedError(String error) {
        String kept = triesChars < TRIES_CHARS || error.length() <= SHORT_TRY_ERROR
                ? error
                : error.substring(0, SHORT_TRY_ERROR - 1) + "…";
        triesChars += Math.min(kept.length(), NodeTry.MAX_ERROR_CHARS);
        return kept;
    }

    NodeTask(
            NodeSpec node,
            Action action,
            JsonNode params,
            Attempt attempt,
            RuntimeOptions options,
            WorkerListener listener) {
        this(node, -1, action, params, attempt, options, listener);
    }

    /** A task for item {@code itemIndex} of a map node (or the node itself when -1). */
    NodeTask(
            NodeSpec node,
            int itemIndex,
            Action action,
            JsonNode params,
            Attempt attempt,
            RuntimeOptions options,
            WorkerListener listener) {
        this.node = node;
        this.itemIndex = itemIndex;
        this.key = itemIndex < 0 ? node.id() : MapItems.key(node.id(), itemIndex);
        this.action = action;
        this.params = params;
        this.attempt = attempt;
        this.options = options;
        this.listener = listener;
        this.log = ACTION_LOGGERS.computeIfAbsent(
                action.name(), name -> LoggerFactory.getLogger("io.nebula.worker.action." + name));
    }

    /** What the action may claim of its execution's JSON values (default: no bound). */
    private ValueBudget values = ValueBudget.UNLIMITED;

    /** Sets {@link #values}; before the task runs. */
    void values(ValueBudget budget) {
        this.values = budget;
    }

    /** Asks the node to stop: its context turns cancelled; the caller interrupts the thread. */
    void stop() {
        stopped.set(true);
    }

    /** Runs every try on a thread of this task's own, each try's action on another. */
    NodeOutcome run() {
        return tries(false);
    }

    /**
     * Runs the action on the calling thread, for {@link Action#nonBlocking()} actions. Returns
     * {@code null} when a retry needs a backoff wait: the caller then continues with {@link #run()}
     * on a thread of its own, which waits and tries again.
     */
    NodeOutcome runInline() {
        return tries(true);
    }

    private NodeOutcome tries(boolean inline) {
        ExecutionEvent event = attempt.event();
        int tries = node.retry().attempts();
        for (int t = nextTry; ; t++) {
            if (t > 1) {
                if (inline) {
                    nextTry = t;
                    return null;
                }
                try {
                    Thread.sleep(node.retry().delayBefore(t));
                } catch (InterruptedException ie) {
                    return new NodeOutcome.Stopped(key);
                }
            }
            if (stopped.get() || Thread.currentThread().isInterrupted()) {
                return new NodeOutcome.Stopped(key);
            }
            TraceSpan span = attempt.trace().node(key, action.name(), t);
            // The try's log lines (the listener's records, the action's own) carry its span.
            String outerSpan = span == TraceSpan.OFF ? null : MDC.get("span_id");
            boolean traced = putSpan(span);
            // The try's duration carries its span as exemplar.
            TraceSpan.Scope current = span.makeCurrent();
            try {
                listener.nodeStarted(event, key, action.name(), t);
                NodeOutcome o = oneTry(t, inline, span, event, tries);
                if (o != null) {
                    return o;
                }
            } finally {
                current.close();
                restoreSpan(traced, outerSpan);
            }
        }
    }

    /** Try {@code t} of the node: its outcome, or {@code null} when it failed and is retried. */
    private NodeOutcome oneTry(int t, boolean inline, TraceSpan span, ExecutionEvent event, int tries) {
        Instant tryStarted = options.clock().instant();
        if (started == null) {
            started = tryStarted;
        }
        long t0 = System.nanoTime();
        Try result = inline ? direct(t, span, tryStarted) : once(t, span, tryStarted);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Instant now = options.clock().instant();
        if (result.stopped) {
            listener.nodeEnded(event, key, action.name(), "failed", took, "stopped");
            span.end("stopped", "stopped");
            return new NodeOutcome.Stopped(key);
        }
        if (result.output != null) {
            listener.nodeEnded(event, key, action.name(), "succeeded", took, null);
            span.end("succeeded", null);
            return new NodeOutcome.Succeeded(key, result.output, result.outputJson, started, now, triesSoFar());
        }
        ActionException e = result.error;
        if (e.kind() == ActionException.Kind.AWAIT_SIGNAL) {
            listener.nodeEnded(event, key, action.name(), "waiting", took, null);
            span.end("waiting", null);
            return new NodeOutcome.AwaitingSignal(key, e.signalName(), e.signalTimeout());
        }
        if (e.kind() == ActionException.Kind.SUSPEND) {
            listener.nodeEnded(event, key, action.name(), "succeeded", took, null);
            span.end("suspended", null);
            return new NodeOutcome.Suspended(key, e.resumeAt(), e.getMessage(), started, now);
        }
        String error = ErrorText.of(e.getMessage(), options.maxErrorChars());
        failedTries.add(new NodeTry(attempt.attempt(), t, tryStarted, now, triedError(error)));
        if (e.kind() == ActionException.Kind.RETRYABLE && t < tries) {
            listener.nodeEnded(event, key, action.name(), "retrying", took, error);
            span.end("retrying", error);
            log.info(
                    "node try failed, retrying execution_id={} node_id={} try={} error={}",
                    attempt.executionId(),
                    key,
                    t,
                    error);
            return null;
        }
        listener.nodeEnded(event, key, action.name(), "failed", took, error);
        span.end("failed", error);
        String message = ErrorText.of(
                subject() + " failed after " + t + (t == 1 ? " attempt: " : " attempts: ") + error,
                options.maxErrorChars());
        return new NodeOutcome.Failed(key, message, e.isRetryable(), started, now, triesSoFar());
    }

    /** The failed tries so far, as an immutable list (the shared empty one when there are none). */
    private List<NodeTry> triesSoFar() {
        return failedTries.isEmpty() ? List.of() : List.copyOf(failedTries);
    }

    /** One try's result: exactly one of output (with its JSON text), error, stopped. */
    private record Try(JsonNode output, String outputJson, ActionException error, boolean stopped) {}

    private ActionContext context(int nodeTry, BooleanSupplier cancelled, TraceSpan span, Instant tryStarted) {
        return ActionContext.builder(attempt.executionId(), node.id())
                .attempt(attempt.attempt())
                .nodeAttempt(nodeTry)
                .startedAt(started)
                .deadline(tryStarted.plus(timeout()))
                .cancellation(cancelled)
                .logger(log)
                .signals(attempt.signals())
                .keyScope(attempt.keyScope())
                .trace(span)
                .itemIndex(itemIndex)
                .values(values)
                .build();
    }

    /** How messages name what failed: the node, or the node's item. */
    private String subject() {
        return itemIndex < 0 ? node.toString() : "item " + itemIndex + " of " + node;
    }

    /**
     * Whether {@code action} is one of the worker's own, which only log through their context's
     * logger; an action written elsewhere may read the MDC itself, so its fields are written there
     * before it runs.
     */
    private static boolean builtin(Action action) {
        return action.getClass().getPackageName().equals(BuiltinActions.class.getPackageName());
    }

    private Duration timeout() {
        return node.timeout() != null ? node.timeout() : options.defaultNodeTimeout();
    }

    /**
     * One try on the calling thread. The caller's log context (the pool sets the execution's
     * fields) is kept; only {@code node_id} is added for the call.
     */
    private Try direct(int nodeTry, TraceSpan span, Instant tryStarted) {
        ActionContext ctx = context(nodeTry, stopped::get, span, tryStarted);
        LogContext.Scope logContext = LogContext.node(attempt.event(), ctx.nodeId(), !builtin(action));
        try {
            return interpret(action.execute(params, ctx));
        } catch (Throwable t) {
            return failure(t);
        } finally {
            logContext.close();
        }
    }

    /**
     * Puts the span's ids in the MDC so the action's log lines carry them; false (and nothing put)
     * when tracing is off.
     */
    private static void restoreSpan(boolean traced, String outerSpan) {
        if (!traced) {
            return;
        }
        if (outerSpan != null) {
            MDC.put("span_id", outerSpan);
        } else {
            MDC.remove("trace_id");
            MDC.remove("span_id");
        }
    }

    private static boolean putSpan(TraceSpan span) {
        String id = span.spanId();
        if (id == null) {
            return false;
        }
        MDC.put("trace_id", span.traceId());
        MDC.put("span_id", id);
        return true;
    }

    private Try once(int nodeTry, TraceSpan span, Instant tryStarted) {
        Duration timeout = timeout();
        AtomicBoolean timedOut = new AtomicBoolean();
        ActionContext ctx = context(nodeTry, () -> stopped.get() || timedOut.get(), span, tryStarted);
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("node-" + node.id()).start(() -> call(ctx, result));
        try {
            return interpret(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            timedOut.set(true);
            abandon(worker);
            return new Try(null, null, ActionException.retryable("timed out after " + human(timeout)), false);
        } catch (InterruptedException e) {
            stopped.set(true);
            abandon(worker);
            return new Try(null, null, null, true);
        } catch (ExecutionException e) {
            return failure(e.getCause());
        }
    }

    private void call(ActionContext ctx, CompletableFuture<JsonNode> result) {
        LogContext.Scope logContext = LogContext.node(attempt.event(), ctx.nodeId(), !builtin(action));
        boolean traced = putSpan(ctx.trace());
        try {
            result.complete(action.execute(params, ctx));
        } catch (Throwable t) {
            result.completeExceptionally(t);
        } finally {
            logContext.close();
            if (traced) {
                MDC.remove("trace_id");
                MDC.remove("span_id");
            }
        }
    }

    private Try interpret(JsonNode output) {
        if (output == null) {
            return new Try(
                    null, null, ActionException.permanent("action returned null instead of a JSON value"), false);
        }
        String text;
        try {
            text = JsonText.of(output);
        } catch (tools.jackson.core.exc.StreamConstraintsException e) {
            return new Try(
                    null,
                    null,
                    ActionException.permanent("output is nested more than "
                            + tools.jackson.core.StreamWriteConstraints.defaults()
                                    .getMaxNestingDepth()
                            + " levels deep (objects and arrays; a fixed bound of every JSON the worker writes)"),
                    false);
        }
        JsonNode masked = OutputMask.of(output, text);
        if (masked != output) {
            output = masked;
            text = JsonText.of(masked);
        }
        if (text.length() > options.maxOutputBytes()) {
            return new Try(
                    null,
                    null,
                    ActionException.permanent("output is " + text.length() + " bytes, more than a node's limit of "
                            + options.maxOutputBytes() + " (fixed; keep large data out of node outputs)"),
                    false);
        }
        return new Try(output, text, null, false);
    }

    private Try failure(Throwable cause) {
        if (cause instanceof ActionException ae) {
            return new Try(null, null, ae, false);
        }
        if (cause instanceof InterruptedException) {
            // An action that saw an interrupt nobody sent (not a stop, not a timeout): transient.
            return stopped.get()
                    ? new Try(null, null, null, true)
                    : new Try(null, null, ActionException.retryable("action was interrupted"), false);
        }
        // A bug in the action: running it again will not help.
        return new Try(
                null,
                null,
                ActionException.permanent(
                        "unexpected " + cause.getClass().getName() + ": " + cause.getMessage(), cause),
                false);
    }

    /** Interrupts the action's thread and waits a little for it to end. */
    private void abandon(Thread worker) {
        worker.interrupt();
        boolean interrupted = Thread.interrupted();
        try {
            if (!worker.join(options.stopGrace())) {
                log.warn(
                        "action ignored interrupt, abandoning it execution_id={} node_id={}",
                        attempt.executionId(),
                        node.id());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
