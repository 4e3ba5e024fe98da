package io.nebula.worker.runtime;

import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.StopReason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An {@link Attempt} without a database: checkpoints go to a list, a stop is requested by the
 * test (which also interrupts the running thread, as the pool does), and the lease can be
 * declared lost.
 */
final class InMemoryAttempt implements Attempt {
    private final long executionId;
    private final int attempt;
    private final String definitionJson;
    private final String inputJson;
    private final Map<String, NodeResult> prior;
    private final List<NodeResult> written = Collections.synchronizedList(new ArrayList<>());
    private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    private volatile StopReason stop;
    private volatile Thread runner;
    private volatile boolean leaseLost;
    private volatile Consumer<NodeResult> onCheckpoint = r -> {};
    private volatile java.time.Duration sinceStart = java.time.Duration.ZERO;

    InMemoryAttempt(
            long executionId, int attempt, String definitionJson, String inputJson, Map<String, NodeResult> prior) {
        this.executionId = executionId;
        this.attempt = attempt;
        this.definitionJson = definitionJson;
        this.inputJson = inputJson;
        this.prior = Map.copyOf(prior);
    }

    static InMemoryAttempt first(String definitionJson, String inputJson) {
        return new InMemoryAttempt(7, 1, definitionJson, inputJson, Map.of());
    }

    /** The next attempt, seeing every result written so far (checkpoints plus the outcome's). */
    InMemoryAttempt next(RunOutcome previous) {
        Map<String, NodeResult> all = new LinkedHashMap<>(prior);
        written.forEach(r -> all.put(r.nodeId(), r));
        previous.unsaved().forEach(r -> all.put(r.nodeId(), r));
        return new InMemoryAttempt(executionId, attempt + 1, definitionJson, inputJson, all);
    }

    RunOutcome runWith(ExecutionRunner runtime) {
        runner = Thread.currentThread();
        try {
            return runtime.run(this);
        } finally {
            runner = null;
            Thread.interrupted();
        }
    }

    void requestStop(StopReason reason) {
        stop = reason;
        Thread t = runner;
        if (t != null) {
            t.interrupt();
        }
    }

    /** How long ago the execution first started, as the store would say. */
    void startedAgo(java.time.Duration d) {
        this.sinceStart = d;
    }

    @Override
    public java.time.Duration sinceStart() {
        return sinceStart;
    }

    void loseLease() {
        leaseLost = true;
    }

    void onCheckpoint(Consumer<NodeResult> hook) {
        this.onCheckpoint = hook;
    }

    List<NodeResult> written() {
        synchronized (written) {
            return List.copyOf(written);
        }
    }

    /** The results checkpointed during the run, then those {@code outcome} carries. */
    List<NodeResult> writtenAnd(RunOutcome outcome) {
        List<NodeResult> out = new ArrayList<>(written());
        out.addAll(outcome.unsaved());
        return out;
    }

    @Override
    public long executionId() {
        return executionId;
    }

    @Override
    public ExecutionEvent event() {
        return new ExecutionEvent(executionId, "test", "default", attempt, attempt);
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public String workflowHash() {
        return "test";
    }

    @Override
    public String definitionJson() {
        return definitionJson;
    }

    @Override
    public String inputJson() {
        return inputJson;
    }

    @Override
    public Map<String, NodeResult> checkpoints() {
        return prior;
    }

    @Override
    public boolean checkpoint(NodeResult result) {
        if (leaseLost) {
            return false;
        }
        written.add(result);
        onCheckpoint.accept(result);
        return true;
    }

    /** Node ids per call to {@link #checkpointAll}, in call order. */
    List<List<String>> batches() {
        synchronized (batches) {
            return List.copyOf(batches);
        }
    }

    @Override
    public boolean checkpointAll(List<NodeResult> results) throws InterruptedException {
        batches.add(results.stream().map(NodeResult::nodeId).toList());
        return Attempt.super.checkpointAll(results);
    }

    @Override
    public StopReason stopRequested() {
        return stop;
    }
}
