package io.nebula.worker.queue;

import java.time.Instant;
import java.util.List;

/**
 * A worker process as registered.
 *
 * @param workerId unique per process; the lease owner of its claims
 * @param poolId the configured worker id (several processes may share it)
 * @param active executions in flight at the last heartbeat
 */
public record WorkerInfo(
        String workerId,
        String poolId,
        String host,
        long pid,
        int concurrency,
        List<String> queues,
        String version,
        Instant startedAt,
        Instant lastSeenAt,
        int active) {
    public WorkerInfo {
        queues = List.copyOf(queues);
    }
}
