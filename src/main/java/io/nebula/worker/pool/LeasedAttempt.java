package io.nebula.worker.pool;

import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.SignalInbox;
import io.nebula.worker.action.ValueBudget;
import io.nebula.worker.json.Json;
import io.nebula.worker.json.JsonValues;
import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.TraceSpan;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.LeaseStore.Checkpoint;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.RetryResult;
import io.nebula.worker.queue.SignalView;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.runtime.Attempt;
import io.nebula.worker.runtime.ChildWorkflows;
import io.nebula.worker.workflow.InputSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link Attempt} the runtime sees: the claimed execution plus a checkpoint channel that goes
 * through the {@link ResultPublisher}, fenced by this attempt's lease.
 */
final class LeasedAttempt implements Attempt {
    private static final JsonMapper JSON = Json.MAPPER;

    private final Running running;
    private final Map<String, NodeResult> checkpoints;
    private final ResultPublisher publisher;
    private final ExecutionStore store;
    private final String keyScope;
    private final PoolClock clock;

    LeasedAttempt(
            Running running,
            Map<String, NodeResult> checkpoints,
            ResultPublisher publisher,
            ExecutionStore store,
            String keyScope,
            PoolClock clock) {
        this.keyScope = keyScope;
        this.clock = clock;
        this.running = running;
        this.checkpoints = Map.copyOf(checkpoints);
        this.publisher = publisher;
        this.store = store;
    }

    @Override
    public long executionId() {
        return running.claimed().id();
    }

    @Override
    public TraceSpan trace() {
        return running.trace();
    }

    @Override
    public ExecutionEvent event() {
        return running.event();
    }

    @Override
    public int attempt() {
        return running.claimed().attempt();
    }

    @Override
    public String workflowHash() {
        return running.claimed().workflowHash();
    }

    /**
     * Reads the definition from the store; the runtime asks only when the process has not compiled
     * it. A store that cannot answer, or has no definition under the hash, throws {@link
     * DefinitionUnavailable}.
     */
    @Override
    public String definitionJson() {
        String hash = workflowHash();
        try {
            return store.workflowGet(hash)
                    .map(WorkflowDocument::definitionJson)
                    .orElseThrow(
                            () -> new StoreException("workflow definition " + hash + " is missing from the store"));
        } catch (StoreException e) {
            throw new DefinitionUnavailable(e);
        }
    }

    /**
     * How long ago the execution first started, by the database's clock (its {@code started_at},
     * which a manual retry clears, against the database's time now). Read from the store when the
     * runtime asks, which it does only for a workflow with a timeout; a store that cannot answer
     * throws {@link DefinitionUnavailable}.
     */
    @Override
    public java.time.Duration sinceStart() {
        ExecutionView v = self();
        return v.startedAt() == null || v.now() == null
                ? java.time.Duration.ZERO
                : java.time.Duration.between(v.startedAt(), v.now());
    }

    /** The execution's {@code started_at}, read from the store as {@link #sinceStart()} says. */
    @Override
    public java.time.Instant startedAt() {
        return self().startedAt();
    }

    /** The execution's row as this attempt first read it (once, when the runtime asked). */
    private ExecutionView self() {
        ExecutionView v = self;
        if (v == null) {
            long id = executionId();
            try {
                v = store.executionGet(id)
                        .orElseThrow(() -> new StoreException("execution " + id + " is missing from the store"));
            } catch (StoreException e) {
                throw new DefinitionUnavailable(e);
            }
            self = v;
        }
        return v;
    }

    private volatile ExecutionView self;

    /**
     * What the attempt needs before any node runs (the execution's definition, or when it first
     * started) could not be read from the store: the database, not the execution, is at fault.
     * Thrown out of the runtime before any node runs.
     */
    static final class DefinitionUnavailable extends RuntimeException {
        DefinitionUnavailable(StoreException cause) {
            super(cause.getMessage(), cause);
        }
    }

    @Override
    public String inputJson() {
        return running.claimed().inputJson();
    }

    @Override
    public String keyScope() {
        return keyScope;
    }

    @Override
    public Map<String, NodeResult> checkpoints() {
        return checkpoints;
    }

    @Override
    public boolean checkpoint(NodeResult result) throws InterruptedException {
        return checkpointAll(List.of(result));
    }

    /**
     * Hands every result to the publisher before waiting for any, so results that finished
     * together share one write.
     */
    @Override
    public boolean checkpointAll(List<NodeResult> results) throws InterruptedException {
        if (running.stopReason() == StopReason.LEASE_LOST) {
            return false;
        }
        List<CompletableFuture<Boolean>> pending = new ArrayList<>(results.size());
        for (NodeResult r : results) {
            pending.add(publisher.checkpoint(new Checkpoint(running.lease(), r)));
        }
        boolean ok = true;
        for (CompletableFuture<Boolean> f : pending) {
            try {
                ok &= f.get();
            } catch (ExecutionException e) {
                // The write could not be made while the lease was still ours: treat it as lost.
                ok = false;
            }
        }
        if (!ok) {
            running.requestStop(StopReason.LEASE_LOST);
        }
        return ok;
    }

    /**
     * Reads the store for each lookup (only {@code signal} nodes ask, so ordinary executions never
     * pay for it). A store that cannot answer makes the node's try fail as retryable.
     */
    @Override
    public SignalInbox signals() {
        return new SignalInbox() {
            @Override
            public Optional<Entry> find(String name) throws ActionException {
                return find(name, ValueBudget.UNLIMITED);
            }

            @Override
            public Optional<Entry> find(String name, ValueBudget budget) throws ActionException {
                Optional<SignalView> v;
                try {
                    v = store.signalGet(executionId(), name);
                } catch (StoreException e) {
                    throw ActionException.retryable("cannot read signal '" + name + "': " + e.getMessage(), e);
                }
                if (v.isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of(entry(v.get(), budget));
            }
        };
    }

    /**
     * Starts a child on the queue its node names (the parent's by default) with the parent's
     * attempt budget (the child's own {@code max_retries} when it sets one), unless the key finds
     * it: the child found, or the one submitted (not read back). The calls block the attempt's
     * thread, which only a sub-workflow node's start makes them.
     */
    @Override
    public ChildWorkflows children() {
        return new ChildWorkflows() {
            @Override
            public Child start(String hash, String inputJson, String key, String queue) {
                return startChild(hash, inputJson, key, queue);
            }

            @Override
            public Child find(String key) {
                return store.executionGetByKey(key).map(LeasedAttempt::child).orElse(null);
            }

            @Override
            public java.util.Map<String, Child> findAll(java.util.Collection<String> keys) {
                java.util.Map<String, Child> out = new java.util.HashMap<>();
                List<String> all = List.copyOf(keys);
                for (int from = 0; from < all.size(); from += MAX_KEYS) {
                    store.executionGetByKeys(all.subList(from, Math.min(all.size(), from + MAX_KEYS)))
                            .forEach((key, v) -> out.put(key, child(v)));
                }
                return out;
            }

            @Override
            public Child startNew(String hash, String inputJson, String key, String queue) {
                try {
                    return submitChild(hash, inputJson, key, queue);
                } catch (ChildWorkflows.InputRefused | IllegalStateException e) {
                    // Another attempt may have started the child since the read that found none:
                    // it stands, as start() would have found it.
                    Optional<ExecutionView> found;
                    try {
                        found = store.executionGetByKey(key);
                    } catch (RuntimeException readFailed) {
                        e.addSuppressed(readFailed);
                        throw e;
                    }
                    if (found.isPresent()) {
                        return child(found.get());
                    }
                    throw e;
                }
            }

            @Override
            public boolean resumeCancelledWithParent(long childId, long parentId) {
                // Only this attempt's own parent, still running under this lease and with no cancel
                // asked of it: a cancel of the parent that its worker has not seen yet has just
                // cancelled the child on purpose.
                ClaimedExecution held = running.claimed();
                if (held.id() != parentId) {
                    return false;
                }
                Optional<ExecutionView> parent = store.executionGet(parentId);
                if (parent.isEmpty()
                        || parent.get().state() != ExecutionState.RUNNING
                        || parent.get().leaseEpoch() != held.leaseEpoch()
                        || parent.get().cancelRequested()
                        || !SubWorkflows.cancelledWithParent(store, childId, parentId)) {
                    return false;
                }
                RetryResult r = SubWorkflows.retry(store, childId, false, "parent execution " + parentId);
                if (r == RetryResult.REQUEUED) {
                    return true;
                }
                // Someone else queued it again meanwhile (a retry of the child itself).
                return store.executionGet(childId)
                        .map(v -> v.state() == ExecutionState.AVAILABLE || v.state() == ExecutionState.RUNNING)
                        .orElse(false);
            }
        };
    }

    private static ChildWorkflows.Child child(ExecutionView v) {
        return new ChildWorkflows.Child(v.id(), v.state(), v.outputJson(), v.lastError(), v.createdAt(), v.now());
    }

    private ChildWorkflows.Child startChild(String hash, String inputJson, String key, String queue) {
        Optional<ExecutionView> found = store.executionGetByKey(key);
        return found.isPresent() ? child(found.get()) : submitChild(hash, inputJson, key, queue);
    }

    /**
     * The child definitions this attempt read, by hash, each with its parsed definition: a map's
     * look starts several children of one workflow.
     */
    private final Map<String, Map.Entry<WorkflowDocument, JsonNode>> childDefinitions =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Submits the child under {@code key} unless one exists (the submit does nothing then): the one
     * submitted, available and not read back, or the one another attempt started under the key,
     * read.
     */
    private ChildWorkflows.Child submitChild(String hash, String inputJson, String key, String queue) {
        Map.Entry<WorkflowDocument, JsonNode> stored = childDefinitions.get(hash);
        if (stored == null) {
            WorkflowDocument read = store.workflowGet(hash)
                    .orElseThrow(() -> new IllegalStateException("no workflow is stored under hash " + hash));
            stored = Map.entry(read, JSON.readTree(read.definitionJson()));
            childDefinitions.put(hash, stored);
        }
        WorkflowDocument doc = stored.getKey();
        ClaimedExecution parent = running.claimed();
        JsonNode definition = stored.getValue();
        // Checked as a submit checks it: nothing is started with an input its workflow refuses.
        List<String> problems = InputSchema.problems(definition, JSON.readTree(inputJson));
        if (!problems.isEmpty()) {
            throw new ChildWorkflows.InputRefused("the input does not match the input schema of '" + doc.name() + "': "
                    + String.join("; ", problems));
        }
        JsonNode retries = definition.path("max_retries");
        int maxAttempts = retries.isIntegralNumber() ? retries.asInt() + 1 : parent.maxAttempts();
        Submitted submitted = store.executionSubmitMany(List.of(new SubmitRequest(
                        queue == null ? parent.queue() : queue,
                        hash,
                        doc.name(),
                        inputJson,
                        0,
                        null,
                        null,
                        maxAttempts,
                        key)))
                .getFirst();
        if (submitted.created()) {
            // Just inserted: available, and no older than this call (its times left unknown).
            return new ChildWorkflows.Child(submitted.executionId(), ExecutionState.AVAILABLE, null, null, null, null);
        }
        ExecutionView v = store.executionGetByKey(key)
                .orElseThrow(() ->
                        new StoreException("the child execution with key " + key + " was not found after its submit"));
        return child(v);
    }

    /** The signal as the inbox gives it, its data's values claimed from {@code budget} before it is parsed. */
    private static SignalInbox.Entry entry(SignalView v, ValueBudget budget) throws ActionException {
        JsonNode data = null;
        if (v.receivedInTime() && v.dataJson() != null) {
            long values = JsonValues.countText(v.dataJson(), budget.limit());
            if (!budget.claim(values)) {
                throw ActionException.permanent("the data of signal '" + v.name() + "' holds " + values
                        + " JSON values, more than its execution can take beside what it holds (limit "
                        + budget.limit() + ", limits.execution_values)");
            }
            data = JSON.readTree(v.dataJson());
        }
        return new SignalInbox.Entry(v.name(), data, v.timedOut(), v.waitingSince(), v.timeoutAt());
    }

    /**
     * Why the attempt should stop. Besides the requests of the heartbeater, shutdown and cancel,
     * a local lease deadline that passed counts as a lost lease: a process frozen past its lease
     * (SIGSTOP, a long pause, a suspended VM) resumes all its threads at once, and the runtime
     * must not start another node before the heartbeater has had a chance to notice that another
     * worker may hold the execution by now. The deadline is never later than the database's.
     */
    @Override
    public StopReason stopRequested() {
        StopReason reason = running.stopReason();
        if (reason == null && clock.nanoTime() - running.leaseDeadlineNanos() >= 0) {
            running.requestStop(StopReason.LEASE_LOST);
            return running.stopReason();
        }
        return reason;
    }
}
