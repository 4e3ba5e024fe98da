package io.nebula.worker.queue;

import java.time.Instant;

/**
 * One page of the execution list, newest first, with optional filters; {@code null} filters match
 * everything.
 *
 * @param workflowHash only executions pinned to this definition
 * @param createdFrom only executions created at or after this time
 * @param createdBefore only executions created before this time
 * @param after continue after this position (the previous page's {@link ExecutionPage#next()})
 * @param limit rows per page, from 1 to {@link #MAX_LIMIT}
 */
public record ExecutionQuery(
        ExecutionState state,
        String workflowName,
        String workflowHash,
        String queue,
        Instant createdFrom,
        Instant createdBefore,
        ExecutionCursor after,
        int limit) {
    /** The most rows one page may ask for. */
    public static final int MAX_LIMIT = 500;

    /**
     * The most rows one page reads from each index for the filters that no index serves (see
     * {@link ExecutionStore#executionPage}); a list of every state merges two such reads (available and
     * finished rows). A page whose read reaches it stops there and says so.
     */
    public static final int SCAN_BUDGET = 10_000;

    public ExecutionQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("a page holds 1 to " + MAX_LIMIT + " rows, not " + limit);
        }
    }

    /** The first page of everything. */
    public static ExecutionQuery newest(int limit) {
        return new ExecutionQuery(null, null, null, null, null, null, null, limit);
    }

    public ExecutionQuery withState(ExecutionState s) {
        return new ExecutionQuery(s, workflowName, workflowHash, queue, createdFrom, createdBefore, after, limit);
    }

    public ExecutionQuery withWorkflow(String name, String hash) {
        return new ExecutionQuery(state, name, hash, queue, createdFrom, createdBefore, after, limit);
    }

    public ExecutionQuery withQueue(String q) {
        return new ExecutionQuery(state, workflowName, workflowHash, q, createdFrom, createdBefore, after, limit);
    }

    public ExecutionQuery withCreated(Instant from, Instant before) {
        return new ExecutionQuery(state, workflowName, workflowHash, queue, from, before, after, limit);
    }

    public ExecutionQuery withAfter(ExecutionCursor cursor) {
        return new ExecutionQuery(state, workflowName, workflowHash, queue, createdFrom, createdBefore, cursor, limit);
    }

    /** Whether {@code e} passes every filter (the store's answer must agree with this). */
    public boolean matches(ExecutionSummary e) {
        return (state == null || state == e.state())
                && (workflowName == null || workflowName.equals(e.workflowName()))
                && (workflowHash == null || workflowHash.equals(e.workflowHash()))
                && (queue == null || queue.equals(e.queue()))
                && (createdFrom == null || !e.createdAt().isBefore(createdFrom))
                && (createdBefore == null || e.createdAt().isBefore(createdBefore));
    }
}
