package io.nebula.worker.faults;

import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.WorkerLog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the checker judges, read once after a run: the database's executions, history, node
 * results, side effects and faults, the ids the workload submitted, and what each worker process
 * believed (its JSON trace log, and its final metrics when it was scraped before a graceful stop).
 *
 * @param now the database clock when the history was read
 * @param submitted every id a submit returned
 * @param events each execution's history in {@code seq} order
 * @param effectNodes node ids whose runs leave a side-effect row
 * @param settleMargin how late an available execution may be before it counts as overdue
 */
public record History(
        String dialect,
        Instant now,
        List<Long> submitted,
        Map<Long, Execution> executions,
        Map<Long, List<Event>> events,
        Map<Long, List<Node>> nodes,
        List<Effect> effects,
        List<Fault> faults,
        List<WorkerRecord> workers,
        Set<String> effectNodes,
        Duration settleMargin) {

    /** One row of {@code executions}. */
    public record Execution(
            long id,
            String workflow,
            String state,
            int attempt,
            int maxAttempts,
            int deaths,
            long leaseEpoch,
            String leaseOwner,
            Instant leaseExpiresAt,
            Instant runAt,
            String lastError,
            String input,
            String output) {}

    /** One row of {@code execution_history}. */
    public record Event(
            long seq,
            long executionId,
            Instant at,
            String event,
            String fromState,
            String toState,
            int attempt,
            long leaseEpoch,
            String workerId,
            String detail) {}

    /** One checkpoint in {@code node_results}. */
    public record Node(
            long executionId, String nodeId, String status, int attempt, long leaseEpoch, Instant recordedAt) {}

    /** One run of a side-effecting node, as the outside world saw it. */
    public record Effect(String key, long executionId, String nodeId, int attempt, int nodeTry, long pid) {}

    /** One injected fault, stamped with the database clock. */
    public record Fault(long seq, Instant at, String kind, String target, String detail) {}

    /**
     * One worker process as it saw itself.
     *
     * @param instanceId its lease owner id, as history rows name it
     * @param killed whether it died by {@code kill -9} (or halted): its counters died with it
     * @param finalMetrics its metrics scraped when it was idle just before a graceful stop, or null
     */
    public record WorkerRecord(
            String name,
            int generation,
            long pid,
            String instanceId,
            boolean killed,
            WorkerLog log,
            Map<String, PrometheusText.Family> finalMetrics) {}
}
