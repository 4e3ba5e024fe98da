package io.nebula.worker.queue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the workers keep up between them: rescue of expired leases, pruning, queue statistics, the
 * leader lease that picks one worker to do the first two, and the registry of workers.
 */
public interface MaintenanceStore {

    /**
     * Rescues executions whose lease expired, in one guarded statement: back to available, or
     * failed when attempts are used up, or quarantined when holders died {@code maxDeaths} times.
     */
    default RescueResult executionRescue(int maxDeaths, int limit) {
        return executionRescue(maxDeaths, limit, null);
    }

    /**
     * As {@link #executionRescue(int, int)}, fenced by a leader lease: the statement changes
     * nothing unless {@code leader} holds its lease by the database clock when it runs (a
     * statement delayed past the end of its sender's term, by a partition, cannot act in the next
     * leader's term). {@code null} means unfenced.
     */
    RescueResult executionRescue(int maxDeaths, int limit, LeaderFence leader);

    /** Deletes finished executions (and their nodes and history) older than {@code retention}. */
    default int executionPrune(Duration retention, int limit) {
        return executionPrune(retention, limit, null);
    }

    /** As {@link #executionPrune(Duration, int)}, fenced by a leader lease like the rescue. */
    int executionPrune(Duration retention, int limit, LeaderFence leader);

    /** The leader lease {@code name} that {@code holder} must hold for a fenced statement to act. */
    record LeaderFence(String name, String holder) {}

    /**
     * A failed execution, as {@link #executionFailedAfter} walks them: its id, its workflow, and
     * its place in the walk (its finish time in the store's own unit, with the id breaking ties).
     */
    record FailedExecution(long id, String workflowHash, long position) {}

    /**
     * Failed executions in the order they finished, oldest first, at most {@code limit}: those that
     * finished after {@code after} (the last row of the previous page), or, with {@code after}
     * null, within {@code lookback} of the database clock; and in both cases at least {@code
     * settle} ago by that clock. A failure's finish time is taken when its transaction starts, so
     * one whose transaction commits more than {@code settle} later can be passed by the walk. Reads
     * the failed rows' own index, so the cost follows the failures, not the successes.
     */
    List<FailedExecution> executionFailedAfter(FailedExecution after, Duration lookback, Duration settle, int limit);

    /**
     * Per-queue statistics; counts are capped at {@code cap} so the cost stays bounded. With
     * {@code finishedTotals} false, counts of the terminal states cover only the last minute, which
     * reads a small index range instead of every finished row (the periodic refresh uses this).
     */
    List<QueueStats> queueStats(long cap, boolean finishedTotals);

    /** Statistics with all-time (capped) counts of finished executions, for operators. */
    default List<QueueStats> queueStats(long cap) {
        return queueStats(cap, true);
    }

    /**
     * Statistics for a page people keep open: as {@code queueStats(cap, false)}, but each unfinished
     * state is counted by walking its own partial index in order (up to {@code cap} rows each), so
     * the cost follows the backlog and never becomes a scan of the table, whatever the planner's
     * statistics say.
     */
    List<QueueStats> queueOverview(long cap);

    /**
     * Takes or renews the named leader lease for {@code holder}; returns whether it holds it now.
     */
    boolean leaderAttemptElect(String name, String holder, Duration ttl);

    void leaderResign(String name, String holder);

    Optional<String> leaderGet(String name);

    // ---- registry ------------------------------------------------------------------------------

    void workerRegister(WorkerInfo worker);

    void workerDeregister(String workerId);

    /** Workers seen within {@code within}. */
    List<WorkerInfo> workerList(Duration within);
}
