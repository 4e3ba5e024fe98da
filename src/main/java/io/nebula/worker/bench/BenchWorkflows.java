package io.nebula.worker.bench;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.Workflows;
import java.time.Duration;
import java.util.Collections;

/**
 * The workflows the benchmark runs, validated by the same code as a user's, and the bulk submit
 * that queues them. Both use only the {@code noop} action, so what is measured is the worker and
 * the database, not the work.
 *
 * <ul>
 *   <li>{@code bench-noop}: one node.
 *   <li>{@code bench-dag}: five nodes, {@code start} fanning out to {@code a}, {@code b} and
 *       {@code c}, which {@code join} waits for.
 * </ul>
 *
 * <p>The tracing scenario also runs {@code bench-http} ({@link #http}): a node that calls a
 * loopback API with {@code http.request}, then a {@code noop} that depends on it, so that what
 * tracing costs can be read against an execution whose node does some work.
 */
final class BenchWorkflows {
    static final String SINGLE = """
            {"name": "bench-noop", "nodes": [{"id": "only", "action": "noop"}]}
            """;
    static final String DAG = """
            {"name": "bench-dag", "nodes": [
              {"id": "start", "action": "noop"},
              {"id": "a", "action": "noop", "depends_on": ["start"]},
              {"id": "b", "action": "noop", "depends_on": ["start"]},
              {"id": "c", "action": "noop", "depends_on": ["start"]},
              {"id": "join", "action": "noop", "depends_on": ["a", "b", "c"]}
            ]}
            """;
    /** Executions per submit call when queueing a backlog. */
    static final int CHUNK = 1_000;

    private final Workflows workflows;
    private final LoadedWorkflow single;
    private final LoadedWorkflow dag;

    BenchWorkflows() {
        ActionRegistry actions = ActionRegistry.builder()
                .registerAll(BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(5)))
                .build();
        this.workflows = new Workflows(actions, Limits.defaults());
        try {
            this.single = workflows.loadText(SINGLE, "bench-noop.json");
            this.dag = workflows.loadText(DAG, "bench-dag.json");
        } catch (WorkflowInvalidException e) {
            throw new IllegalStateException("a benchmark workflow is invalid: " + e.getMessage(), e);
        }
    }

    LoadedWorkflow single() {
        return single;
    }

    LoadedWorkflow dag() {
        return dag;
    }

    /** {@code bench-http}: GET {@code url}, then a {@code noop} depending on it. */
    LoadedWorkflow http(String url) {
        String text = """
                {"name": "bench-http", "nodes": [
                  {"id": "call", "action": "http.request", "params": {"method": "GET", "url": "%s"}},
                  {"id": "use", "action": "noop", "depends_on": ["call"]}
                ]}
                """.formatted(url);
        try {
            return workflows.loadText(text, "bench-http.json");
        } catch (WorkflowInvalidException e) {
            throw new IllegalStateException("a benchmark workflow is invalid: " + e.getMessage(), e);
        }
    }

    /** A client submitting through {@code store}. */
    WorkflowClient client(ExecutionStore store) {
        return new WorkflowClient(store, workflows, 0);
    }

    /**
     * Queues {@code n} executions of {@code workflow} with input {@code {}} in calls of {@link
     * #CHUNK}; returns the seconds it took.
     */
    static double queue(WorkflowClient client, LoadedWorkflow workflow, int n) {
        long t0 = System.nanoTime();
        for (int done = 0; done < n; done += CHUNK) {
            int size = Math.min(CHUNK, n - done);
            client.submitMany(workflow, Collections.nCopies(size, "{}"), SubmitOptions.defaults());
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
