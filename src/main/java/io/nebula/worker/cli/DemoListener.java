package io.nebula.worker.cli;

import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.WorkerListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Hears, inside the demo's worker, what the store does not record: a node try that failed and
 * will be tried again within the same attempt, and which nodes are running right now. The demo
 * prints the first as progress lines and shows the second on its status line.
 */
final class DemoListener implements WorkerListener {
    /** A line about one execution. */
    record Note(long executionId, String text) {}

    private final ConcurrentLinkedQueue<Note> notes = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> tries = new ConcurrentHashMap<>();
    private final Map<Long, String> runningNode = new ConcurrentHashMap<>();

    @Override
    public void nodeStarted(ExecutionEvent e, String nodeId, String action, int nodeAttempt) {
        tries.put(e.executionId() + "/" + nodeId, nodeAttempt);
        runningNode.put(e.executionId(), nodeId);
    }

    @Override
    public void nodeEnded(ExecutionEvent e, String nodeId, String action, String status, Duration took, String error) {
        runningNode.remove(e.executionId(), nodeId);
        if ("retrying".equals(status)) {
            int n = tries.getOrDefault(e.executionId() + "/" + nodeId, 1);
            notes.add(new Note(
                    e.executionId(),
                    "node " + nodeId + " (" + action + ") try " + n + " failed, trying again: " + error));
        }
    }

    /** Notes since the last call, oldest first. */
    List<Note> drain() {
        List<Note> out = new ArrayList<>();
        Note n;
        while ((n = notes.poll()) != null) {
            out.add(n);
        }
        return out;
    }

    /** The node most recently started and not yet ended in this execution, if any. */
    String runningNode(long executionId) {
        return runningNode.get(executionId);
    }
}
