package io.nebula.worker.queue;

/** Filters for listing executions; {@code null} fields match everything. */
public record ExecutionFilter(ExecutionState state, String workflowName, String queue, int limit) {
    public static ExecutionFilter all(int limit) {
        return new ExecutionFilter(null, null, null, limit);
    }
}
