package io.nebula.worker.action;

/**
 * The JSON values a node may still bring into its execution: an execution holds at most {@code
 * limits.execution_values} values (its input, its node outputs, and what the nodes running at once
 * are receiving). An action that is about to parse data it received (a response body, a signal's
 * data) counts that data's values first and claims them, so that several nodes receiving large
 * documents at once cannot each build one before the execution's total is checked.
 */
public interface ValueBudget {
    /** A budget that never refuses: actions run outside an execution (tests, tools). */
    ValueBudget UNLIMITED = new ValueBudget() {
        @Override
        public boolean claim(long values) {
            return true;
        }

        @Override
        public long limit() {
            return Long.MAX_VALUE;
        }
    };

    /**
     * Claims {@code values} for data this node is about to parse; false, and nothing claimed,
     * when the execution could not hold them beside what it holds and what other running nodes
     * claimed. A claim lasts until the node's outcome is recorded.
     */
    boolean claim(long values);

    /** The most values one execution may hold ({@code limits.execution_values}). */
    long limit();
}
