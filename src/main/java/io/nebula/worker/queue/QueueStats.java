package io.nebula.worker.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A cheap snapshot of one queue.
 *
 * @param counts executions per state; counts of non-terminal states are exact up to the cap
 * @param dueAvailable available executions whose run-at time has passed (the real backlog)
 * @param oldestDueAge how long the oldest due execution has waited, zero when none
 * @param finishedLastMinute executions that reached a terminal state in the last minute
 * @param capped {@code true} when a count reached the cap and is a lower bound
 * @param paused whether claiming from this queue is paused
 */
public record QueueStats(
        String queue,
        Map<ExecutionState, Long> counts,
        long dueAvailable,
        Duration oldestDueAge,
        long finishedLastMinute,
        boolean capped,
        boolean paused,
        Instant computedAt) {
    public QueueStats {
        counts = Map.copyOf(counts);
    }

    public long count(ExecutionState s) {
        return counts.getOrDefault(s, 0L);
    }
}
