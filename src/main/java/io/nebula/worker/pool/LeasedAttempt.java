package io.nebula.worker.pool;

import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.queue.ExecutionStore.Checkpoint;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.runtime.Attempt;
import io.nebula.worker.runtime.StopReason;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The {@link Attempt} the runtime sees: the claimed execution plus a checkpoint channel that goes
 * through the {@link ResultPublisher}, fenced by this attempt's lease.
 */
final class LeasedAttempt implements Attempt {
    private final Running running;
    private final String definitionJson;
    private final Map<String, NodeResult> checkpoints;
    private final ResultPublisher publisher;

    LeasedAttempt(
            Running running, String definitionJson, Map<String, NodeResult> checkpoints, ResultPublisher publisher) {
        this.running = running;
        this.definitionJson = definitionJson;
        this.checkpoints = Map.copyOf(checkpoints);
        this.publisher = publisher;
    }

    @Override
    public long executionId() {
        return running.claimed().id();
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

    @Override
    public String definitionJson() {
        return definitionJson;
    }

    @Override
    public String inputJson() {
        return running.claimed().inputJson();
    }

    @Override
    public Map<String, NodeResult> checkpoints() {
        return checkpoints;
    }

    @Override
    public boolean checkpoint(NodeResult result) throws InterruptedException {
        if (running.stopReason() == StopReason.LEASE_LOST) {
            return false;
        }
        try {
            boolean ok = publisher
                    .checkpoint(new Checkpoint(running.lease(), result))
                    .get();
            if (!ok) {
                running.requestStop(StopReason.LEASE_LOST);
            }
            return ok;
        } catch (ExecutionException e) {
            // The write could not be made while the lease was still ours: treat it as lost.
            running.requestStop(StopReason.LEASE_LOST);
            return false;
        }
    }

    @Override
    public StopReason stopRequested() {
        return running.stopReason();
    }
}
