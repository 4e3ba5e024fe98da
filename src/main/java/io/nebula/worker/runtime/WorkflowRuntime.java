package io.nebula.worker.runtime;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.json.JsonValues;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.secret.SecretResolver;
import io.nebula.worker.workflow.CompiledWorkflow;
import io.nebula.worker.workflow.JsonText;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.Workflows;
import java.util.List;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The workflow runtime as the worker pool sees it: runs one attempt of one execution as a DAG of
 * nodes, resuming from the attempt's checkpoints.
 *
 * <p>Per attempt: the stored definition is compiled (cached by hash; its text read from the
 * attempt only when this process has not compiled it), nodes whose checkpoints say
 * succeeded or skipped are reused, and the rest run as their dependencies finish, at most {@link
 * RuntimeOptions#maxParallelNodes()} at once, each on a virtual thread. See {@code
 * docs/WORKFLOWS.md} for the rules (skips, retries, timeouts, delays).
 *
 * <p>Outcome mapping: a node failing permanently, a bad expression, an unknown action or an
 * invalid input give {@code Failed(retryable=false)}; a node failing retryably after its own
 * retries gives {@code Failed(retryable=true)}; a long {@code delay} gives {@code Waiting}; a stop
 * request gives {@code Stopped}. Thread-safe: one instance serves every attempt.
 */
public final class WorkflowRuntime implements ExecutionRunner {
    private final Workflows workflows;
    private final ActionRegistry actions;
    private final RuntimeOptions options;
    private final WorkerListener listener;
    private final SecretResolver secrets;

    /**
     * @param secrets resolves the secrets a node's params read ({@code secrets.NAME}), just before
     *     the node runs
     */
    public WorkflowRuntime(
            Workflows workflows,
            ActionRegistry actions,
            RuntimeOptions options,
            WorkerListener listener,
            SecretResolver secrets) {
        this.workflows = Objects.requireNonNull(workflows, "workflows");
        this.actions = Objects.requireNonNull(actions, "actions");
        this.options = Objects.requireNonNull(options, "options");
        this.listener = listener == null ? WorkerListener.NONE : listener;
        this.secrets = Objects.requireNonNull(secrets, "secrets");
    }

    /** A runtime without secret providers: a node that reads a secret fails. */
    public WorkflowRuntime(
            Workflows workflows, ActionRegistry actions, RuntimeOptions options, WorkerListener listener) {
        this(workflows, actions, options, listener, SecretResolver.none());
    }

    public WorkflowRuntime(Workflows workflows, ActionRegistry actions, RuntimeOptions options) {
        this(workflows, actions, options, WorkerListener.NONE);
    }

    @Override
    public RunOutcome run(Attempt attempt) {
        CompiledWorkflow workflow;
        try {
            workflow = workflows.compile(attempt);
        } catch (WorkflowInvalidException e) {
            return new RunOutcome.Failed(
                    ErrorText.of(
                            "workflow definition is not valid on this worker:\n" + e.getMessage(),
                            options.maxErrorChars()),
                    false,
                    List.of());
        }
        JsonNode input;
        try {
            input = JsonText.parse(attempt.inputJson());
        } catch (JacksonException e) {
            return new RunOutcome.Failed(
                    ErrorText.of(
                            "execution input is not valid JSON: " + e.getOriginalMessage(), options.maxErrorChars()),
                    false,
                    List.of());
        }
        long inputValues = JsonValues.count(input, options.maxExecutionValues());
        if (inputValues > options.maxExecutionValues()) {
            return new RunOutcome.Failed(
                    "execution input holds more than " + options.maxExecutionValues() + " JSON values ("
                            + RuntimeOptions.EXECUTION_VALUES_KEY + ")",
                    false,
                    List.of());
        }
        RunOutcome outcome =
                new ExecutionRun(workflow, actions, attempt, input, inputValues, options, listener, secrets).run();
        if (outcome instanceof RunOutcome.Failed f && workflow.startsChildren()) {
            // Children this or an earlier attempt started are stopped if this failure is final.
            return f.withChildren();
        }
        return outcome;
    }
}
