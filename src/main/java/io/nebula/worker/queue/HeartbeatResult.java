package io.nebula.worker.queue;

import java.util.Set;

/**
 * The answer to one heartbeat.
 *
 * @param extended executions whose lease was extended; every other one that was sent is lost
 * @param cancelRequested among the extended, those with a pending cancel request
 */
public record HeartbeatResult(Set<Long> extended, Set<Long> cancelRequested) {
    public HeartbeatResult {
        extended = Set.copyOf(extended);
        cancelRequested = Set.copyOf(cancelRequested);
    }
}
