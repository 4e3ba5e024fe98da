package io.nebula.worker.runtime;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.ValueBudget;
import io.nebula.worker.json.Json;
import io.nebula.worker.json.JsonValues;
import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.LogContext;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ChildKeys;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.MapItems;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.SignalWait;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.secret.SecretResolver;
import io.nebula.worker.secret.SecretUnavailable;
import io.nebula.worker.workflow.Bindings;
import io.nebula.worker.workflow.CompiledWorkflow;
import io.nebula.worker.workflow.EvaluationException;
import io.nebula.worker.workflow.JsonText;
import io.nebula.worker.workflow.NodeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The scheduler of one attempt: decides which nodes are ready, skips or launches them, records
 * their results and turns the end state into a {@link RunOutcome}. Runs on the attempt's thread;
 * node tasks report back through a queue, so all state here is touched by one thread only.
 *
 * <p>Results are written lazily: they collect in {@code unsaved} and are checkpointed just before
 * anything else starts or while other nodes still run. So every result is durable before a
 * dependent starts, and the results that end an attempt travel with its outcome in one write.
 */
final class ExecutionRun {
    private static final JsonMapper JSON = Json.MAPPER;
    /** Items of a non-blocking action a map runs inline before its results are checkpointed. */
    static final int INLINE_ITEMS = 1_000;

    private final CompiledWorkflow workflow;
    private final ActionRegistry actions;
    private final Attempt attempt;
    private final RuntimeOptions options;
    private final WorkerListener listener;
    private final Bindings bindings;
    private final SecretResolver secrets;

    private final Map<String, NodeStatus> done = new HashMap<>();
    private final Set<String> ready = new LinkedHashSet<>();
    private final Map<String, Running> running = new HashMap<>();
    /** Map nodes started and not yet ended, by node id; their items run in {@link #running}. */
    private final Map<String, MapRun> maps = new LinkedHashMap<>();
    /** How many entries of {@link #running} are map items rather than nodes. */
    private int itemsRunning;

    private final BlockingQueue<NodeOutcome> finished = new LinkedBlockingQueue<>();
    private final List<NodeResult> unsaved = new ArrayList<>();

    private NodeResult failure;
    /** Characters of node output this execution holds (recorded before or in this attempt). */
    private long outputBytes;
    /**
     * JSON values this execution holds: its input's and every recorded node output's. Written by
     * the scheduler's thread only; read by actions claiming values on theirs.
     */
    private volatile long values;

    /** Values the running nodes' actions claimed for data they received, until their outcome is recorded. */
    private final AtomicLong claimed = new AtomicLong();

    private boolean failureRetryable;
    private final List<NodeResult> suspended = new ArrayList<>();
    private Instant resumeAt;

    /** Sub-workflow nodes whose child is still running in this look, and when to look again. */
    private final Set<String> childWaits = new java.util.HashSet<>();

    private Instant childPollAt;
    /** A checkpoint written while starting a node found the lease lost: the attempt stops. */
    private boolean leaseLost;

    /**
     * When the workflow's timeout ends, on {@link System#nanoTime()} (a step of the wall clock
     * moves neither it nor the time left), if {@link #hasDeadline}.
     */
    private long deadlineNanos;

    private boolean hasDeadline;

    private String childReason;
    private String suspendReason;
    private String suspendKind;
    private final List<SignalWait> awaiting = new ArrayList<>();

    /** A node or map item running on its own thread, and the JSON values its params hold meanwhile. */
    private record Running(NodeTask task, Thread thread, Held params, Claims claims) {}

    /** What a node's params hold while it runs, or why they do not fit ({@code problem}). */
    private record Held(long values, long chars, String problem) {}

    /**
     * What one running node's action claims of the execution's values: it may claim while what the
     * execution holds, what all running nodes claimed and the claim stay within the limit.
     */
    private final class Claims implements ValueBudget {
        private long mine;

        @Override
        public boolean claim(long n) {
            long max = options.maxExecutionValues();
            while (true) {
                long c = claimed.get();
                if (values + c + n > max) {
                    return false;
                }
                if (claimed.compareAndSet(c, c + n)) {
                    mine += n;
                    return true;
                }
            }
        }

        @Override
        public long limit() {
            return options.maxExecutionValues();
        }
    }

    /** JSON values the params of the {@link #running} nodes and items hold together. */
    private long runningParamValues;
    /** Characters of text the params of the {@link #running} nodes and items hold together. */
    private long runningParamChars;

    ExecutionRun(
            CompiledWorkflow workflow,
            ActionRegistry actions,
            Attempt attempt,
            JsonNode input,
            long inputValues,
            RuntimeOptions options,
            WorkerListener listener,
            SecretResolver secrets) {
        this.secrets = secrets;
        this.workflow = workflow;
        this.actions = actions;
        this.attempt = attempt;
        this.options = options;
        this.listener = listener;
        this.bindings = new Bindings(input, attempt.executionId(), attempt.attempt());
        this.values = inputValues;
    }

    RunOutcome run() {
        try {
            resume();
            if (workflow.timeout() != null) {
                Duration left = workflow.timeout().minus(attempt.sinceStart());
                if (left.isNegative() || left.isZero()) {
                    return timedOut();
                }
                deadlineNanos = System.nanoTime() + left.toNanos();
                hasDeadline = true;
            }
            while (true) {
                StopReason stop = attempt.stopRequested();
                if (stop != null) {
                    return stop(stop);
                }
                if (hasDeadline && System.nanoTime() - deadlineNanos >= 0) {
                    return timedOut();
                }
                if (failure == null && resumeAt == null) {
                    schedule();
                }
                if (!ready.isEmpty() && failure == null && resumeAt == null || !running.isEmpty() || !maps.isEmpty()) {
                    if (!flush()) {
                        return stop(StopReason.LEASE_LOST);
                    }
                    if (attempt.stopRequested() != null) {
                        continue; // asked to stop while writing: start nothing more
                    }
                }
                boolean ranInline = false;
                while (!ready.isEmpty()
                        && running.size() - itemsRunning + maps.size() < options.maxParallelNodes()
                        && failure == null
                        && resumeAt == null) {
                    String id = ready.iterator().next();
                    ready.remove(id);
                    ranInline |= launch(workflow.node(id));
                    if (leaseLost) {
                        return stop(StopReason.LEASE_LOST);
                    }
                    if (deferred != null) {
                        // Its params fit once the nodes running now release theirs.
                        ready.add(deferred);
                        deferred = null;
                        break;
                    }
                }
                if (!maps.isEmpty()) {
                    for (MapRun m : List.copyOf(maps.values())) {
                        ranInline |= launchItems(m);
                    }
                }
                if (running.isEmpty()) {
                    if (ranInline || attempt.stopRequested() != null) {
                        // What ran inline may have made its dependents ready; a stop asked for
                        // meanwhile is taken at the top.
                        continue;
                    }
                    if (!flushItems()) {
                        return stop(StopReason.LEASE_LOST);
                    }
                    return finish();
                }
                NodeOutcome o = finished.poll(pollMillis(), TimeUnit.MILLISECONDS);
                while (o != null) {
                    // Take every result that is in, so they are checkpointed together.
                    accept(o);
                    o = finished.poll();
                }
            }
        } catch (InterruptedException e) {
            StopReason reason = attempt.stopRequested();
            return stop(reason == null ? StopReason.SHUTDOWN : reason);
        }
    }

    /** Marks checkpointed nodes done. A FAILED checkpoint is not done: that node runs again. */
    private void resume() {
        for (NodeSpec n : workflow.nodes()) {
            NodeResult r = attempt.checkpoints().get(n.id());
            if (r == null || r.status() == NodeStatus.FAILED) {
                continue;
            }
            JsonNode output = r.status() == NodeStatus.SUCCEEDED && r.outputJson() != null
                    ? JSON.readTree(r.outputJson())
                    : JsonNodeFactory.instance.nullNode();
            done.put(n.id(), r.status());
            bindings.record(n.id(), r.status().dbName(), output);
            outputBytes += r.outputJson() == null ? 0 : r.outputJson().length();
            if (r.status() == NodeStatus.SUCCEEDED) {
                // As when it was recorded; a skipped node's null was not counted then.
                values += JsonValues.count(output, Long.MAX_VALUE);
            }
        }
    }

    /**
     * Skips what must be skipped and queues what may run, until nothing changes (a skip can make
     * its dependents decidable in the same pass).
     */
    private void schedule() {
        boolean changed = true;
        while (changed && failure == null) {
            changed = false;
            for (NodeSpec n : workflow.nodes()) {
                String id = n.id();
                if (done.containsKey(id)
                        || running.containsKey(id)
                        || maps.containsKey(id)
                        || ready.contains(id)
                        || isAwaiting(id)
                        || childWaits.contains(id)) {
                    continue;
                }
                boolean depsDone = true;
                boolean allSkipped = !n.dependsOn().isEmpty();
                for (String d : n.dependsOn()) {
                    NodeStatus st = done.get(d);
                    if (st == null) {
                        depsDone = false;
                        break;
                    }
                    allSkipped &= st == NodeStatus.SKIPPED;
                }
                if (!depsDone) {
                    continue;
                }
                boolean run;
                try {
                    run = !allSkipped && n.shouldRun(bindings);
                } catch (EvaluationException e) {
                    fail(
                            n,
                            n + " condition: " + e.getMessage(),
                            false,
                            options.clock().instant());
                    return;
                }
                if (run) {
                    ready.add(id);
                } else {
                    Instant now = options.clock().instant();
                    done.put(id, NodeStatus.SKIPPED);
                    bindings.record(id, "skipped", JsonNodeFactory.instance.nullNode());
                    unsaved.add(new NodeResult(id, NodeStatus.SKIPPED, null, null, attempt.attempt(), now, now));
                    listener.nodeEnded(attempt.event(), id, n.action(), "skipped", Duration.ZERO, null);
                    changed = true;
                }
            }
        }
    }

    /**
     * Starts a node. A {@link Action#nonBlocking()} action runs right here and its result is
     * taken at once (returns {@code true}); any other runs on a thread of its own, as does an
     * inline node that needs a backoff wait before its next try.
     */
    private boolean launch(NodeSpec n) throws InterruptedException {
        if (n.childWorkflow() != null) {
            if (n.map() != null) {
                return startChildMap(n);
            }
            runChild(n);
            return true;
        }
        Action action = actions.find(n.action()).orElse(null);
        if (action == null) {
            fail(
                    n,
                    n + " cannot run: this worker has no action '" + n.action() + "'",
                    false,
                    options.clock().instant());
            return false;
        }
        Map<String, String> secretValues = Map.of();
        if (!n.secrets().isEmpty()) {
            try {
                secretValues = secrets.resolve(n.secrets());
            } catch (SecretUnavailable e) {
                // Not set anywhere: permanent until an operator sets it. A provider that failed to
                // answer: transient, the execution is retried like any retryable failure.
                fail(
                        n,
                        n + " cannot run: " + e.getMessage(),
                        e.retryable(),
                        options.clock().instant());
                return false;
            }
        }
        if (n.map() != null) {
            return startMap(n, action, secretValues);
        }
        JsonNode params;
        try {
            params = n.resolveParams(bindings, secretValues);
        } catch (EvaluationException e) {
            fail(n, n + " params: " + e.getMessage(), false, options.clock().instant());
            return false;
        }
        NodeTask task = new NodeTask(n, action, params, attempt, options, listener);
        if (action.nonBlocking()) {
            NodeOutcome o = task.runInline();
            if (o != null) {
                accept(o);
                return true;
            }
        }
        Held held = holdParams(params);
        if (held.problem() != null) {
            if (othersHoldParams()) {
                deferred = n.id();
            } else {
                fail(n, n + " params: " + held.problem(), false, options.clock().instant());
            }
            return false;
        }
        Claims claims = new Claims();
        task.values(claims);
        Thread t = Thread.ofVirtual()
                .name("exec-" + attempt.executionId() + "-" + n.id())
                .unstarted(() -> runScoped(task));
        running.put(n.id(), new Running(task, t, held, claims));
        t.start();
        return false;
    }

    /** Runs a node on a thread of its own, whose log lines carry the attempt's fields. */
    private void runScoped(NodeTask task) {
        ExecutionEvent e = attempt.event();
        try (LogContext.Scope s = LogContext.execution(e.executionId(), e.attempt(), e.leaseEpoch())) {
            finished.add(task.run());
        }
    }

    private void accept(NodeOutcome o) {
        Running r = release(o.nodeId());
        try {
            recordOutcome(o);
        } finally {
            // What its action claimed is counted as its output now, if it succeeded.
            if (r != null) {
                claimed.addAndGet(-r.claims().mine);
            }
        }
    }

    private void recordOutcome(NodeOutcome o) {
        String mapNode = MapItems.nodeOf(o.nodeId());
        if (mapNode != null) {
            MapRun m = maps.get(mapNode);
            if (m != null) {
                m.running--;
                itemsRunning--;
                acceptItem(m, MapItems.indexOf(o.nodeId()), o);
                endMapIfDone(m);
            }
            return;
        }
        NodeSpec n = workflow.node(o.nodeId());
        switch (o) {
            case NodeOutcome.Succeeded s -> {
                if (!withinOutputBudget(n, s.output(), s.outputJson(), s.startedAt(), s.finishedAt())) {
                    return;
                }
                done.put(n.id(), NodeStatus.SUCCEEDED);
                bindings.record(n.id(), "succeeded", s.output());
                unsaved.add(new NodeResult(
                        n.id(),
                        NodeStatus.SUCCEEDED,
                        s.outputJson(),
                        null,
                        attempt.attempt(),
                        s.startedAt(),
                        s.finishedAt(),
                        s.failedTries()));
            }
            case NodeOutcome.Failed f ->
                failed(
                        new NodeResult(
                                n.id(),
                                NodeStatus.FAILED,
                                null,
                                ErrorText.of(f.message(), options.maxErrorChars()),
                                attempt.attempt(),
                                f.startedAt(),
                                f.finishedAt(),
                                f.failedTries()),
                        f.retryable());
            case NodeOutcome.Suspended s -> {
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                out.put("until", s.until().toString());
                suspended.add(new NodeResult(
                        n.id(),
                        NodeStatus.SUCCEEDED,
                        out.toString(),
                        null,
                        attempt.attempt(),
                        s.startedAt(),
                        s.finishedAt()));
                // Parallel long delays: the execution resumes only when the longest has passed.
                if (resumeAt == null || s.until().isAfter(resumeAt)) {
                    resumeAt = s.until();
                    suspendReason = ErrorText.of("node '" + n.id() + "': " + s.reason(), options.maxErrorChars());
                    suspendKind = "delay";
                }
            }
            case NodeOutcome.AwaitingSignal w -> awaiting.add(new SignalWait(w.nodeId(), w.name(), w.timeout()));
            case NodeOutcome.Stopped st -> {
                // Only a stop request interrupts a node; stop() handles the rest.
            }
        }
    }

    /** The shortest and longest wait of a parent before it looks at its child again. */
    static final Duration CHILD_POLL_MIN = Duration.ofSeconds(1);

    static final Duration CHILD_POLL_MAX = Duration.ofSeconds(30);

    /**
     * Runs a sub-workflow node on the scheduler's thread: starts its child execution, or finds the
     * one an earlier run of this node started (by the idempotency key {@link ChildKeys#key}, so a
     * retried or resumed parent never starts a second child). A child that succeeded gives the
     * node its output; one that failed or was cancelled fails the node for good (except a child that
     * this execution's own end cancelled before a retry by hand: it is queued again); one still going
     * makes the attempt end in a durable wait (the slot is freed), after which the node looks
     * again: after a quarter of the child's age so far, from {@link #CHILD_POLL_MIN} to {@link
     * #CHILD_POLL_MAX}.
     */
    private void runChild(NodeSpec n) {
        Instant now = options.clock().instant();
        JsonNode input;
        try {
            input = n.resolveParams(bindings);
        } catch (EvaluationException e) {
            fail(n, n + " input: " + e.getMessage(), false, now);
            return;
        }
        ChildWorkflows.Child c;
        try {
            c = attempt.children()
                    .start(
                            n.childWorkflow(),
                            JsonText.of(input),
                            ChildKeys.key(attempt.executionId(), n.id()),
                            n.childQueue());
        } catch (ChildWorkflows.InputRefused | IllegalStateException e) {
            fail(n, n + ": " + e.getMessage(), false, now);
            return;
        } catch (SubmitRejectedException e) {
            // The store refused the child's input (its size or values): the same input is refused again.
            fail(n, n + " input: " + e.getMessage(), false, now);
            return;
        } catch (RuntimeException e) {
            fail(n, n + ": cannot start or read its child execution: " + e.getMessage(), true, now);
            return;
        }
        switch (c.state()) {
            case SUCCEEDED -> {
                String out = c.outputJson() == null ? "null" : c.outputJson();
                accept(new NodeOutcome.Succeeded(
                        n.id(), JSON.readTree(out), out, now, options.clock().instant(), List.of()));
            }
            case CANCELLED -> {
                boolean resumed;
                try {
                    resumed = attempt.children().resumeCancelledWithParent(c.id(), attempt.executionId());
                } catch (RuntimeException e) {
                    fail(n, n + ": cannot start or read its child execution: " + e.getMessage(), true, now);
                    return;
                }
                if (resumed) {
                    // This execution's own end cancelled it, and a retry by hand came before the
                    // cancel reached it: it runs again, as the retry would have run it.
                    childWaits.add(n.id());
                    lookAgain(c, now, "node '" + n.id() + "': waiting for child execution " + c.id());
                } else {
                    fail(
                            n,
                            n + ": child execution " + c.id() + " cancelled"
                                    + (c.error() == null ? "" : ": " + c.error()),
                            false,
                            now);
                }
            }
            case FAILED ->
                fail(
                        n,
                        n + ": child execution " + c.id() + " " + c.state().dbName()
                                + (c.error() == null ? "" : ": " + c.error()),
                        false,
                        now);
            case AVAILABLE, RUNNING -> {
                childWaits.add(n.id());
                lookAgain(c, now, "node '" + n.id() + "': waiting for child execution " + c.id());
            }
        }
    }

    /**
     * Notes that a child is still going: the attempt looks at it again after a quarter of its age
     * so far, from {@link #CHILD_POLL_MIN} to {@link #CHILD_POLL_MAX}. Not a resumeAt: the nodes
     * beside it, other sub-workflow nodes included, still start in this look; the attempt waits
     * once nothing else can run.
     */
    private void lookAgain(ChildWorkflows.Child c, Instant now, String reason) {
        Duration age =
                c.createdAt() == null || c.now() == null ? Duration.ZERO : Duration.between(c.createdAt(), c.now());
        Duration wait = age.dividedBy(4);
        if (wait.compareTo(CHILD_POLL_MIN) < 0) {
            wait = CHILD_POLL_MIN;
        } else if (wait.compareTo(CHILD_POLL_MAX) > 0) {
            wait = CHILD_POLL_MAX;
        }
        Instant until = now.plus(wait);
        if (childPollAt == null || until.isBefore(childPollAt)) {
            childPollAt = until;
            childReason = reason;
        }
    }

    /**
     * Starts a map node: evaluates its items, checks their number, takes the items an earlier
     * attempt recorded as done, records the start (once per execution) and starts the first items.
     * Returns whether any item ran inline.
     */
    private boolean startMap(NodeSpec n, Action action, Map<String, String> secretValues) {
        MapRun m = openMap(n, action, secretValues);
        return m != null && launchItems(m);
    }

    /**
     * Starts a map over a workflow node: as {@link #startMap}, each item starting a child
     * execution instead of running an action. Returns whether any item ended in this look.
     */
    private boolean startChildMap(NodeSpec n) throws InterruptedException {
        MapRun m = openMap(n, null, Map.of());
        if (m == null) {
            return false;
        }
        // Cancel, retry and the lists of children find the children through the start record (it
        // holds the number of items), so it is durable before the first of them starts.
        if (m.recordFirst && !flush()) {
            leaseLost = true;
            return false;
        }
        return launchItems(m);
    }

    /**
     * Evaluates a map node's items, checks their number, records the start (once per execution)
     * and takes the items an earlier attempt recorded as done; {@code null} when the node failed.
     */
    private MapRun openMap(NodeSpec n, Action action, Map<String, String> secretValues) {
        Instant now = options.clock().instant();
        List<?> items;
        try {
            items = n.items(bindings);
        } catch (EvaluationException e) {
            fail(n, n + " items: " + e.getMessage(), false, now);
            return null;
        }
        int own = n.map().maxItems();
        if (own > 0 && own < options.maxMapItems() && items.size() > own) {
            fail(n, n + " items: " + items.size() + " items, more than its max_items " + own, false, now);
            return null;
        }
        if (items.size() > options.maxMapItems()) {
            fail(
                    n,
                    n + " items: " + items.size() + " items, more than the limit of " + options.maxMapItems() + " ("
                            + RuntimeOptions.MAP_ITEMS_KEY + ")",
                    false,
                    now);
            return null;
        }
        MapRun m = new MapRun(n, action, items, secretValues, now);
        String startKey = MapItems.startKey(n.id());
        NodeResult record = attempt.checkpoints().get(startKey);
        if (n.childWorkflow() != null && record != null && MapItems.items(record) != items.size()) {
            // Children are found by item index: a list that changed would pair them with other items.
            fail(
                    n,
                    n + " items: " + items.size() + " items now, " + MapItems.items(record)
                            + " when its children started; a map over a workflow node must have the same items"
                            + " at every look",
                    false,
                    now);
            return null;
        }
        if (n.childWorkflow() != null) {
            m.recordFirst = !items.isEmpty() && record == null;
            try {
                m.since = attempt.startedAt();
            } catch (RuntimeException e) {
                fail(n, n + ": cannot read when the execution started: " + e.getMessage(), true, now);
                return null;
            }
        }
        if (!items.isEmpty() && record == null) {
            unsaved.add(new NodeResult(
                    startKey,
                    NodeStatus.SUCCEEDED,
                    "{\"items\":" + items.size() + ",\"max_parallel\":"
                            + n.map().maxParallel() + "}",
                    null,
                    attempt.attempt(),
                    now,
                    now));
        }
        for (int i = 0; i < items.size(); i++) {
            NodeResult r = attempt.checkpoints().get(MapItems.key(n.id(), i));
            if (r != null && r.status() == NodeStatus.FAILED && n.childWorkflow() != null) {
                // Recorded by an earlier look of this run (a retry by hand deletes failed results).
                m.settleFailed(i, r.error());
            }
            if (r != null && r.status() == NodeStatus.SUCCEEDED) {
                JsonNode output = r.outputJson() == null ? null : JSON.readTree(r.outputJson());
                m.succeeded(i, output);
                outputBytes += r.outputJson() == null ? 0 : r.outputJson().length();
                values += JsonValues.count(output, Long.MAX_VALUE);
            }
        }
        maps.put(n.id(), m);
        listener.nodeStarted(attempt.event(), n.id(), "map", 1);
        return m;
    }

    /**
     * Starts items of a map while its {@code max_parallel} and failure policy allow. Items of a
     * {@link Action#nonBlocking()} action run right here, at most {@link #INLINE_ITEMS} per call so
     * their results are checkpointed as they go. Returns whether any item ran inline.
     */
    private boolean launchItems(MapRun m) {
        if (m.node.childWorkflow() != null) {
            return launchChildItems(m);
        }
        boolean ranInline = false;
        int inline = 0;
        while (failure == null
                && resumeAt == null
                && m.running < m.spec.maxParallel()
                && m.mayStartMore()
                && inline < INLINE_ITEMS) {
            int i = m.next++;
            if (m.isDone(i)) {
                continue;
            }
            JsonNode params;
            try {
                params = m.node.resolveItemParams(bindings, m.secretValues, m.items.get(i), i);
            } catch (EvaluationException e) {
                Instant now = options.clock().instant();
                itemFailed(
                        m, i, "item " + i + " of " + m.node + " params: " + e.getMessage(), false, now, now, List.of());
                continue;
            }
            NodeTask task = new NodeTask(m.node, i, m.action, params, attempt, options, listener);
            if (m.action.nonBlocking()) {
                NodeOutcome o = task.runInline();
                if (o != null) {
                    acceptItem(m, i, o);
                    ranInline = true;
                    inline++;
                    continue;
                }
            }
            Held held = holdParams(params);
            if (held.problem() != null && othersHoldParams()) {
                m.next = i; // started again once the nodes and items running now release their params
                break;
            }
            if (held.problem() != null) {
                Instant now = options.clock().instant();
                itemFailed(
                        m, i, "item " + i + " of " + m.node + " params: " + held.problem(), false, now, now, List.of());
                continue;
            }
            String key = MapItems.key(m.node.id(), i);
            Claims claims = new Claims();
            task.values(claims);
            Thread t = Thread.ofVirtual()
                    .name("exec-" + attempt.executionId() + "-" + key)
                    .unstarted(() -> runScoped(task));
            running.put(key, new Running(task, t, held, claims));
            m.running++;
            itemsRunning++;
            t.start();
        }
        // A map that ended here (all items done or inline) may have made its dependents ready.
        return endMapIfDone(m) || ranInline;
    }

    /**
     * One look at a map over a workflow node: first every item that has a child (children start in
     * item order, so they are the items before the first one that never had any), each at its
     * latest child ({@link ChildKeys#itemKey}): a child that succeeded gives its item its output;
     * one that failed or was cancelled fails its item for good, unless it was created before the
     * execution's current start (a retry of the parent by hand): that item needs a new child; one
     * still going keeps the map open. Then, while fewer than {@code max_parallel} are unfinished
     * and the failure policy allows, the items that need a child get one, in item order. The
     * attempt ends in a durable wait while children go on, and looks again later (as {@link
     * #runChild}). Done once per attempt; returns whether any item ended.
     */
    private boolean launchChildItems(MapRun m) {
        if (m.looked) {
            return endMapIfDone(m);
        }
        m.looked = true;
        try {
            return lookAtChildItems(m);
        } finally {
            lookedUp.clear();
        }
    }

    /** The look of {@link #launchChildItems}: its children read, taken or started. */
    private boolean lookAtChildItems(MapRun m) {
        boolean ended = false;
        NodeSpec n = m.node;
        Instant now = options.clock().instant();
        List<Integer> needChild = new ArrayList<>();
        // Per item needing a child: the generation to start, or -1 for one past the items looked at.
        List<Integer> generations = new ArrayList<>();
        int misses = 0;
        int scan = 0;
        for (; scan < m.size() && misses < m.spec.maxParallel() && failure == null; scan++) {
            if (m.isDone(scan) || m.isSettled(scan)) {
                continue;
            }
            ChildWorkflows.Child c;
            try {
                c = latestChild(m, scan);
            } catch (RuntimeException e) {
                fail(
                        n,
                        "item " + scan + " of " + n + ": cannot read its child execution: " + e.getMessage(),
                        true,
                        now);
                return ended;
            }
            if (c == null) {
                misses++;
                needChild.add(scan);
                generations.add(0);
                continue;
            }
            misses = 0;
            if (isStale(m, c)) {
                needChild.add(scan);
                generations.add(latestGeneration + 1);
            } else {
                ended |= takeChild(m, scan, c, now);
            }
        }
        for (; scan < m.size(); scan++) {
            if (!m.isDone(scan) && !m.isSettled(scan)) {
                needChild.add(scan);
                generations.add(-1);
            }
        }
        int started = 0;
        for (int k = 0; k < needChild.size(); k++) {
            if (failure != null
                    || m.waiting >= m.spec.maxParallel()
                    || !m.spec.keepsGoing(m.failed)
                    || attempt.stopRequested() != null) {
                break;
            }
            int item = needChild.get(k);
            started = k + 1;
            int generation = generations.get(k);
            if (generation < 0) {
                // Past the items looked at: it may have children all the same (an item without one,
                // such as one whose input was refused, can lie between items that have).
                ChildWorkflows.Child c;
                try {
                    c = latestChild(m, item);
                } catch (RuntimeException e) {
                    fail(
                            n,
                            "item " + item + " of " + n + ": cannot read its child execution: " + e.getMessage(),
                            true,
                            now);
                    return ended;
                }
                if (c != null && !isStale(m, c)) {
                    ended |= takeChild(m, item, c, now);
                    continue;
                }
                generation = c == null ? 0 : latestGeneration + 1;
            }
            int i = item;
            String what = "item " + i + " of " + n;
            String input;
            try {
                input = JsonText.of(n.resolveItemParams(bindings, Map.of(), m.items.get(i), i));
            } catch (EvaluationException e) {
                itemFailed(m, i, what + " input: " + e.getMessage(), false, now, now, List.of());
                ended = true;
                continue;
            }
            ChildWorkflows.Child c;
            try {
                // Looked up this look and not found (or stale, and the next generation not found).
                c = attempt.children()
                        .startNew(
                                n.childWorkflow(),
                                input,
                                ChildKeys.itemKey(attempt.executionId(), n.id(), i, generation),
                                n.childQueue());
            } catch (ChildWorkflows.InputRefused | SubmitRejectedException e) {
                // The child's workflow or the store refused this item's input: it is refused again.
                itemFailed(m, i, what + " input: " + e.getMessage(), false, now, now, List.of());
                ended = true;
                continue;
            } catch (IllegalStateException e) {
                fail(n, n + ": " + e.getMessage(), false, now);
                return ended;
            } catch (RuntimeException e) {
                fail(n, what + ": cannot start or read its child execution: " + e.getMessage(), true, now);
                return ended;
            }
            // Just started, or found: an earlier look may have started it past an item without one.
            ended |= takeChild(m, i, c, now);
        }
        // Items still without a child keep the map open while the policy lets them start.
        m.next = started < needChild.size() ? 0 : m.size();
        return endMapIfDone(m) || ended;
    }

    /** The generation of the child {@link #latestChild} found last. */
    private int latestGeneration;

    /**
     * The children of a map's items read ahead during one look, by key; a key read and found
     * without a child maps to {@link #NO_CHILD}. Cleared when the look ends.
     */
    private final Map<String, ChildWorkflows.Child> lookedUp = new HashMap<>();

    private static final ChildWorkflows.Child NO_CHILD = new ChildWorkflows.Child(-1, null, null, null, null, null);

    /**
     * How many items' first two generations one read ahead covers at least (at most half of
     * {@link ChildWorkflows#MAX_KEYS}).
     */
    private static final int READ_AHEAD_ITEMS = 32;

    /**
     * Item {@code i}'s latest child (its generations looked up in turn, see {@link
     * ChildKeys#itemKey}), its generation left in {@link #latestGeneration}; {@code null} when it
     * never had one. The first two generations of item {@code i} and of the unfinished items after
     * it are read in one go, so a look reads its children in a few statements rather than one per
     * item and generation.
     */
    private ChildWorkflows.Child latestChild(MapRun m, int i) {
        ChildWorkflows.Child c = null;
        int generation = -1;
        for (ChildWorkflows.Child found; (found = itemChild(m, i, generation + 1)) != null; ) {
            c = found;
            generation++;
        }
        latestGeneration = generation;
        return c;
    }

    private ChildWorkflows.Child itemChild(MapRun m, int i, int generation) {
        String key = ChildKeys.itemKey(attempt.executionId(), m.node.id(), i, generation);
        ChildWorkflows.Child c = lookedUp.get(key);
        if (c == null && generation <= 1) {
            readAhead(m, i);
            c = lookedUp.get(key);
        }
        if (c == null) {
            // A later generation (an item retried more than once): read on its own.
            c = attempt.children().find(key);
            lookedUp.put(key, c == null ? NO_CHILD : c);
        }
        return c == NO_CHILD ? null : c;
    }

    /** Reads the first two generations' children of item {@code from} and the unfinished items after it. */
    private void readAhead(MapRun m, int from) {
        int cap = 2 * Math.min(ChildWorkflows.MAX_KEYS / 2, Math.max(READ_AHEAD_ITEMS, 2 * m.spec.maxParallel()));
        List<String> keys = new ArrayList<>(cap);
        // An item adds up to two keys (fewer when one was read already): stop while both still fit.
        for (int i = from; i < m.size() && keys.size() + 2 <= cap; i++) {
            if (i != from && (m.isDone(i) || m.isSettled(i))) {
                continue;
            }
            for (int g = 0; g <= 1; g++) {
                String key = ChildKeys.itemKey(attempt.executionId(), m.node.id(), i, g);
                if (!lookedUp.containsKey(key)) {
                    keys.add(key);
                }
            }
        }
        Map<String, ChildWorkflows.Child> found = attempt.children().findAll(keys);
        for (String key : keys) {
            lookedUp.put(key, found.getOrDefault(key, NO_CHILD));
        }
    }

    /**
     * Whether a child failed or was cancelled before the execution's current start (it was created
     * before it): a retry of the parent by hand, whose item gets a new child.
     */
    private static boolean isStale(MapRun m, ChildWorkflows.Child c) {
        return (c.state() == ExecutionState.FAILED || c.state() == ExecutionState.CANCELLED)
                && m.since != null
                && c.createdAt() != null
                && c.createdAt().isBefore(m.since);
    }

    /**
     * Takes item {@code i}'s child {@code c} as it stands: its output, its failure, or a wait for
     * it. Returns whether the item ended.
     */
    private boolean takeChild(MapRun m, int i, ChildWorkflows.Child c, Instant now) {
        NodeSpec n = m.node;
        switch (c.state()) {
            case SUCCEEDED -> {
                String out = c.outputJson() == null ? "null" : c.outputJson();
                acceptItem(
                        m,
                        i,
                        new NodeOutcome.Succeeded(
                                n.id(),
                                JSON.readTree(out),
                                out,
                                now,
                                options.clock().instant(),
                                List.of()));
                return true;
            }
            case FAILED, CANCELLED -> {
                if (c.state() == ExecutionState.CANCELLED) {
                    try {
                        if (attempt.children().resumeCancelledWithParent(c.id(), attempt.executionId())) {
                            // As for a child of its own node (see runChild): cancelled by this
                            // execution's own end, which a retry by hand overtook.
                            m.waiting++;
                            lookAgain(
                                    c,
                                    now,
                                    "node '" + n.id() + "': waiting for child execution " + c.id() + " (item " + i
                                            + ")");
                            return false;
                        }
                    } catch (RuntimeException e) {
                        itemFailed(
                                m,
                                i,
                                "item " + i + " of " + n + ": cannot read its child execution: " + e.getMessage(),
                                true,
                                now,
                                now,
                                List.of());
                        return true;
                    }
                }
                itemFailed(
                        m,
                        i,
                        "item " + i + " of " + n + ": child execution " + c.id() + " "
                                + c.state().dbName() + (c.error() == null ? "" : ": " + c.error()),
                        false,
                        now,
                        now,
                        List.of());
                return true;
            }
            default -> {
                m.waiting++;
                lookAgain(c, now, "node '" + n.id() + "': waiting for child execution " + c.id() + " (item " + i + ")");
                return false;
            }
        }
    }

    /** Records how one item ended. */
    private void acceptItem(MapRun m, int i, NodeOutcome o) {
        String key = MapItems.key(m.node.id(), i);
        switch (o) {
            case NodeOutcome.Succeeded s -> {
                if (!withinOutputBudget(m.node, s.output(), s.outputJson(), s.startedAt(), s.finishedAt())) {
                    return;
                }
                m.succeeded(i, s.output());
                unsaved.add(new NodeResult(
                        key,
                        NodeStatus.SUCCEEDED,
                        s.outputJson(),
                        null,
                        attempt.attempt(),
                        s.startedAt(),
                        s.finishedAt(),
                        s.failedTries()));
            }
            case NodeOutcome.Failed f ->
                itemFailed(m, i, f.message(), f.retryable(), f.startedAt(), f.finishedAt(), f.failedTries());
            case NodeOutcome.Suspended s ->
                itemFailed(
                        m,
                        i,
                        "item " + i + " of " + m.node + " cannot wait durably inside a map (" + s.reason() + ")",
                        false,
                        s.startedAt(),
                        s.finishedAt(),
                        List.of());
            case NodeOutcome.AwaitingSignal w -> {
                Instant now = options.clock().instant();
                itemFailed(
                        m,
                        i,
                        "item " + i + " of " + m.node + " cannot wait for signal '" + w.name() + "' inside a map",
                        false,
                        now,
                        now,
                        List.of());
            }
            case NodeOutcome.Stopped st -> {
                // Only a stop request interrupts an item; it runs again in a later attempt.
            }
        }
    }

    private void itemFailed(
            MapRun m,
            int i,
            String message,
            boolean retryable,
            Instant startedAt,
            Instant finishedAt,
            List<io.nebula.worker.queue.NodeTry> tries) {
        String error = ErrorText.of(message, options.maxErrorChars());
        m.failed(error, retryable);
        unsaved.add(new NodeResult(
                MapItems.key(m.node.id(), i),
                NodeStatus.FAILED,
                null,
                error,
                attempt.attempt(),
                startedAt,
                finishedAt,
                tries));
    }

    /**
     * Ends a map whose items have all ended (or whose failure policy stops it and whose running
     * items have ended): the node fails, or succeeds with the list of item outputs. A map held
     * open by another node's failure or a durable wait stays open; the attempt ends around it.
     * Returns whether the map ended now.
     */
    private boolean endMapIfDone(MapRun m) {
        if (!m.ended() || !maps.containsKey(m.node.id())) {
            return false;
        }
        maps.remove(m.node.id());
        NodeSpec n = m.node;
        Instant now = options.clock().instant();
        Duration took = Duration.between(m.startedAt, now);
        if (m.spec.fails(m.failed)) {
            String policy = m.spec.onItemFailure().wireName()
                    + (m.spec.onItemFailure() == io.nebula.worker.workflow.MapSpec.OnItemFailure.TOLERATE
                            ? ", max_failed_items " + m.spec.maxFailedItems()
                            : "");
            int notRun = m.size() - m.succeeded - m.failed;
            String message = n + ": " + m.failed + " of " + m.size() + " items failed (on_item_failure " + policy + ")"
                    + (notRun > 0 ? ", " + notRun + " not run" : "") + "; first: " + m.firstError;
            listener.nodeEnded(attempt.event(), n.id(), "map", "failed", took, message);
            fail(n, message, m.retryable, m.startedAt, now);
            return true;
        }
        JsonNode output = m.output();
        done.put(n.id(), NodeStatus.SUCCEEDED);
        bindings.record(n.id(), "succeeded", output);
        unsaved.add(new NodeResult(
                n.id(), NodeStatus.SUCCEEDED, JsonText.of(output), null, attempt.attempt(), m.startedAt, now));
        listener.nodeEnded(attempt.event(), n.id(), "map", "succeeded", took, null);
        return true;
    }

    private void fail(NodeSpec n, String message, boolean retryable, Instant at) {
        fail(n, message, retryable, at, at);
    }

    private void fail(NodeSpec n, String message, boolean retryable, Instant startedAt, Instant at) {
        failed(
                new NodeResult(
                        n.id(),
                        NodeStatus.FAILED,
                        null,
                        ErrorText.of(message, options.maxErrorChars()),
                        attempt.attempt(),
                        startedAt,
                        at),
                retryable);
    }

    /**
     * Records a node's failure. The first one fails the execution; a node that was running beside
     * it and fails too keeps its result (with its tries) among the attempt's node results. A
     * permanent failure takes the place of a retryable one as the execution's error: an execution
     * retry could not get past it.
     */
    private void failed(NodeResult r, boolean retryable) {
        if (failure != null && failure.nodeId().equals(r.nodeId())) {
            // A node fails once (a map's items over the output budget, then the map itself).
            return;
        }
        for (NodeResult u : unsaved) {
            if (u.status() == NodeStatus.FAILED && u.nodeId().equals(r.nodeId())) {
                return;
            }
        }
        if (failure == null) {
            failure = r;
            failureRetryable = retryable;
        } else if (failureRetryable && !retryable) {
            unsaved.add(failure);
            failure = r;
            failureRetryable = false;
        } else {
            unsaved.add(r);
        }
    }

    /** Whether the node is waiting for a signal in this attempt (it runs again in a later one). */
    private boolean isAwaiting(String nodeId) {
        for (SignalWait w : awaiting) {
            if (w.nodeId().equals(nodeId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Counts the params a node or item is about to hold while it runs on its own thread (retries
     * and their waits included): their JSON values and their text. Says why it may not start
     * (and counts nothing) when the params of everything running at once would hold more than
     * {@link RuntimeOptions#maxExecutionValues()} values or {@link
     * RuntimeOptions#maxExecutionOutputBytes()} characters; each evaluation is bounded on its own,
     * so without this the nodes and map items running in parallel could each hold as much. The
     * caller then waits for the running ones to end, as it does for a parallelism limit, and fails
     * the node only when nothing else holds params (its own are too large).
     */
    private Held holdParams(JsonNode params) {
        long maxValues = options.maxExecutionValues();
        long maxChars = options.maxExecutionOutputBytes();
        long values = JsonValues.count(params, maxValues - runningParamValues);
        if (runningParamValues + values > maxValues) {
            return new Held(
                    0,
                    0,
                    "the params of the nodes running at once would hold more than " + maxValues
                            + " JSON values (" + RuntimeOptions.EXECUTION_VALUES_KEY + "); " + runningParamValues
                            + " are held by the nodes running now");
        }
        long chars = JsonValues.textLength(params, maxChars - runningParamChars);
        if (runningParamChars + chars > maxChars) {
            return new Held(
                    0,
                    0,
                    "the params of the nodes running at once would hold more than " + maxChars
                            + " characters of text, as much as the node outputs of an execution may ("
                            + RuntimeOptions.EXECUTION_OUTPUT_KEY + "); " + runningParamChars
                            + " are held by the nodes running now");
        }
        runningParamValues += values;
        runningParamChars += chars;
        return new Held(values, chars, null);
    }

    /** Whether running nodes or items hold params (each holds at least one value), which they release when they end. */
    private boolean othersHoldParams() {
        return runningParamValues > 0;
    }

    /** A node whose params did not fit beside those of the nodes running now: it waits for them. */
    private String deferred;

    /** Forgets a node or item that ended, and what its params held; returns it. */
    private Running release(String nodeId) {
        Running r = running.remove(nodeId);
        if (r != null) {
            runningParamValues -= r.params().values();
            runningParamChars -= r.params().chars();
        }
        return r;
    }

    /**
     * Counts a node's output against the execution's budgets, its text and its JSON values; false
     * (and the node failed) when it would pass one. Outputs recorded by earlier attempts count too:
     * they are held in memory and stored just the same.
     */
    private boolean withinOutputBudget(NodeSpec n, JsonNode output, String outputJson, Instant startedAt, Instant at) {
        long size = outputJson == null ? 0 : outputJson.length();
        long max = options.maxExecutionValues();
        long count = JsonValues.count(output, max - values);
        String problem = null;
        if (outputBytes + size > options.maxExecutionOutputBytes()) {
            problem = n + " output of " + size + " bytes would bring the execution's node outputs to "
                    + (outputBytes + size) + " bytes, more than the limit of " + options.maxExecutionOutputBytes()
                    + " (" + RuntimeOptions.EXECUTION_OUTPUT_KEY + ")";
        } else if (values + count > max) {
            problem = n + " output would bring the JSON values the execution holds (its input and node outputs) to"
                    + " more than the limit of " + max + " (" + RuntimeOptions.EXECUTION_VALUES_KEY + "); "
                    + values + " are held already";
        }
        if (problem == null) {
            outputBytes += size;
            values += count;
            return true;
        }
        fail(n, problem, false, startedAt, at);
        return false;
    }

    /** How long the scheduler waits for a node to end before it looks again: a second, or less before the deadline. */
    private long pollMillis() {
        if (!hasDeadline) {
            return 1_000;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return Math.max(1, Math.min(1_000, left));
    }

    /**
     * How long a durable wait may last at most: until just past the workflow's timeout, so that the
     * execution is claimed again then and fails (a second after it, so that the claim finds the
     * time spent by the database's clock too and never resumes a delay before its end); {@code
     * null} without a timeout.
     */
    private Duration waitAtMost() {
        if (!hasDeadline) {
            return null;
        }
        Duration left = Duration.ofNanos(deadlineNanos - System.nanoTime());
        return (left.isNegative() ? Duration.ZERO : left).plus(TIMEOUT_SLACK);
    }

    /** What a durable wait lasts past the workflow's timeout at most (see {@link #waitAtMost()}). */
    static final Duration TIMEOUT_SLACK = Duration.ofSeconds(1);

    /**
     * The execution has run longer than its workflow's {@code timeout_seconds} since it first
     * started: the nodes still running are stopped (as for a cancel) and recorded as failed, and
     * the execution fails for good. What they finished while stopping is kept.
     */
    private RunOutcome timedOut() {
        Duration t = workflow.timeout();
        String limit = t.toMillis() % 1000 == 0 ? Long.toString(t.toSeconds()) : Double.toString(t.toMillis() / 1000.0);
        String message = "timed out: the execution ran longer than its workflow's timeout_seconds (" + limit
                + ") since it first started";
        Set<String> stopped = new LinkedHashSet<>();
        for (String id : running.keySet()) {
            String map = MapItems.nodeOf(id);
            stopped.add(map == null ? id : map);
        }
        stopped.addAll(maps.keySet());
        if (interruptRunning(Thread.interrupted())) {
            Thread.currentThread().interrupt();
        }
        Instant now = options.clock().instant();
        List<NodeResult> out = new ArrayList<>(unsaved);
        Set<String> recorded = new java.util.HashSet<>();
        out.forEach(r -> recorded.add(r.nodeId()));
        if (failure != null) {
            recorded.add(failure.nodeId());
        }
        for (String id : stopped) {
            if (!done.containsKey(id) && recorded.add(id)) {
                out.add(new NodeResult(
                        id,
                        NodeStatus.FAILED,
                        null,
                        ErrorText.of("node '" + id + "' was stopped: " + message, options.maxErrorChars()),
                        attempt.attempt(),
                        now,
                        now));
            }
        }
        if (failure != null) {
            out.add(failure);
        }
        return new RunOutcome.Failed(message, false, out);
    }

    /** Nothing runs any more: the attempt ends in failure, a wait, or success. */
    private RunOutcome finish() {
        if (failure != null) {
            List<NodeResult> out = new ArrayList<>(unsaved);
            out.add(failure);
            return new RunOutcome.Failed(failure.error(), failureRetryable, out);
        }
        if (resumeAt != null || childPollAt != null) {
            List<NodeResult> out = new ArrayList<>(unsaved);
            out.addAll(suspended);
            // Never before a delay's end (resumed earlier, the delay would count as done): a child
            // is looked at again then, or on its own schedule when no delay waits.
            Instant at = resumeAt != null ? resumeAt : childPollAt;
            Duration wait = Duration.between(options.clock().instant(), at);
            Duration most = waitAtMost();
            if (most != null && wait.compareTo(most) > 0) {
                wait = most;
            }
            // A node waiting for a signal meanwhile runs again when the wait has passed.
            return new RunOutcome.Waiting(
                    wait.isNegative() ? Duration.ZERO : wait,
                    resumeAt != null ? suspendReason : childReason,
                    out,
                    resumeAt != null ? suspendKind : "sub_workflow");
        }
        if (!awaiting.isEmpty()) {
            String reason = awaiting.stream()
                    .map(w -> "node '" + w.nodeId() + "': waiting for signal '" + w.name() + "'")
                    .collect(java.util.stream.Collectors.joining("; "));
            return new RunOutcome.AwaitingSignal(awaiting, reason, unsaved, waitAtMost());
        }
        if (done.size() < workflow.nodes().size()) {
            throw new IllegalStateException(
                    "no node can run but " + (workflow.nodes().size() - done.size())
                            + " are not done; the definition should have been rejected");
        }
        try {
            JsonNode output = workflow.renderOutput(bindings);
            String text = JsonText.of(output);
            if (text.length() > options.maxOutputBytes()) {
                return new RunOutcome.Failed(
                        "output mapping: output is " + text.length() + " bytes, more than the limit of "
                                + options.maxOutputBytes(),
                        false,
                        unsaved);
            }
            return new RunOutcome.Succeeded(text, unsaved);
        } catch (EvaluationException e) {
            return new RunOutcome.Failed(
                    ErrorText.of("output mapping: " + e.getMessage(), options.maxErrorChars()), false, unsaved);
        }
    }

    /**
     * Checkpoints every unsaved result, in one call so the worker can write them together. False
     * when the lease is lost.
     */
    private boolean flush() throws InterruptedException {
        if (unsaved.isEmpty()) {
            return true;
        }
        if (!attempt.checkpointAll(List.copyOf(unsaved))) {
            return false;
        }
        unsaved.clear();
        return true;
    }

    /**
     * Checkpoints the unsaved results of map items (and starts) before the attempt ends, so the
     * outcome carries only node results: a success keeps those in {@code executions.nodes}, which
     * reads of the execution's nodes scan whole, and thousands of items there would slow every read.
     * False when the lease is lost.
     */
    private boolean flushItems() throws InterruptedException {
        List<NodeResult> items = null;
        for (NodeResult r : unsaved) {
            if (MapItems.nodeOf(r.nodeId()) != null) {
                if (items == null) {
                    items = new ArrayList<>();
                }
                items.add(r);
            }
        }
        if (items == null) {
            return true;
        }
        if (!attempt.checkpointAll(items)) {
            return false;
        }
        unsaved.removeAll(items);
        return true;
    }

    /**
     * Stops running nodes and returns. Results that finished meanwhile are handed back unsaved,
     * except after a lost lease, when nothing more may be written.
     */
    private RunOutcome stop(StopReason reason) {
        if (interruptRunning(Thread.interrupted())) {
            Thread.currentThread().interrupt();
        }
        return new RunOutcome.Stopped(reason, reason == StopReason.LEASE_LOST ? List.of() : unsaved);
    }

    /**
     * Stops every running node and, unless this thread {@code interrupted} already, waits for them
     * to end (at most twice the stop grace), keeping what succeeded meanwhile. Returns whether this
     * thread was interrupted, before or while it waited.
     */
    private boolean interruptRunning(boolean interrupted) {
        for (Running r : running.values()) {
            r.task().stop();
            r.thread().interrupt();
        }
        long until = System.nanoTime() + options.stopGrace().toNanos() * 2;
        while (!running.isEmpty() && !interrupted) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                NodeOutcome o = finished.poll(left, TimeUnit.NANOSECONDS);
                if (o != null
                        && !(o instanceof NodeOutcome.Failed)
                        && !(o instanceof NodeOutcome.Suspended)
                        && !(o instanceof NodeOutcome.AwaitingSignal)) {
                    accept(o);
                } else if (o != null) {
                    Running r = release(o.nodeId());
                    if (r != null) {
                        claimed.addAndGet(-r.claims().mine);
                    }
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
