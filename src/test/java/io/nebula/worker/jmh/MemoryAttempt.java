package io.nebula.worker.jmh;

import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.runtime.Attempt;
import java.util.Map;

/**
 * A first attempt with no database behind it: checkpoints are counted and dropped, no stop is
 * ever requested. What remains of a run is the runtime's own cost.
 */
final class MemoryAttempt implements Attempt {
    private final long id;
    private final String hash;
    private final String definition;
    private final String input;
    private final ExecutionEvent event;
    int checkpoints;

    MemoryAttempt(long id, String hash, String definition, String input) {
        this.id = id;
        this.hash = hash;
        this.definition = definition;
        this.input = input;
        this.event = new ExecutionEvent(id, "bench", "default", 1, 1);
    }

    @Override
    public long executionId() {
        return id;
    }

    @Override
    public ExecutionEvent event() {
        return event;
    }

    @Override
    public int attempt() {
        return 1;
    }

    @Override
    public String workflowHash() {
        return hash;
    }

    @Override
    public String definitionJson() {
        return definition;
    }

    @Override
    public String inputJson() {
        return input;
    }

    @Override
    public Map<String, NodeResult> checkpoints() {
        return Map.of();
    }

    @Override
    public boolean checkpoint(NodeResult result) {
        checkpoints++;
        return true;
    }

    @Override
    public StopReason stopRequested() {
        return null;
    }
}
