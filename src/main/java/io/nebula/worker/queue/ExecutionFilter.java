package io.nebula.worker.queue;

/**
 * Filters for listing executions, newest (highest id) first; {@code null} fields match everything.
 *
 * @param before only executions whose id is below this one: the page after a page that ended at it
 */
public record ExecutionFilter(ExecutionState state, String workflowName, String queue, Long before, int limit) {
    public ExecutionFilter(ExecutionState state, String workflowName, String queue, int limit) {
        this(state, workflowName, queue, null, limit);
    }

    public static ExecutionFilter all(int limit) {
        return new ExecutionFilter(null, null, null, limit);
    }
}
