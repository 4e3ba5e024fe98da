package io.nebula.worker.runtime;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.Workflows;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a runtime the way the worker does, plus a small driver that plays the pool: it runs
 * attempts until the execution ends, treating Waiting and retryable failures as "run again".
 */
final class RuntimeKit {
    final Workflows workflows;
    final WorkflowRuntime runtime;
    final List<RunOutcome> outcomes = new ArrayList<>();

    RuntimeKit(RuntimeOptions options, HttpActionOptions http, Clock clock, Action... extra) {
        this(Limits.defaults(), options, http, clock, extra);
    }

    RuntimeKit(Limits limits, RuntimeOptions options, HttpActionOptions http, Clock clock, Action... extra) {
        ActionRegistry registry = ActionRegistry.builder()
                .registerAll(BuiltinActions.create(http, Duration.ofSeconds(1), clock))
                .registerAll(List.of(extra))
                .build();
        this.workflows = new Workflows(registry, limits);
        this.runtime = new WorkflowRuntime(workflows, registry, options);
    }

    RuntimeKit(Action... extra) {
        this(RuntimeOptions.defaults(), HttpActionOptions.defaults(), Clock.systemUTC(), extra);
    }

    LoadedWorkflow load(String json) throws WorkflowInvalidException {
        return workflows.loadText(json, "test.json");
    }

    static Path example(String name) {
        return Path.of(System.getProperty("nebula.project.dir", "."), "examples", name);
    }

    LoadedWorkflow loadExample(String name) throws IOException, WorkflowInvalidException {
        return workflows.load(example(name));
    }

    InMemoryAttempt attempt(String json, String input) throws WorkflowInvalidException {
        return InMemoryAttempt.first(load(json).canonicalJson(), input);
    }

    /** Runs attempts until success, a permanent failure, or {@code maxAttempts}. */
    RunOutcome runToEnd(InMemoryAttempt first, int maxAttempts) {
        InMemoryAttempt a = first;
        for (int i = 1; ; i++) {
            RunOutcome o = a.runWith(runtime);
            outcomes.add(o);
            boolean again = o instanceof RunOutcome.Waiting
                    || o instanceof RunOutcome.Failed f && f.retryable()
                    || o instanceof RunOutcome.Stopped s && s.reason() == StopReason.SHUTDOWN;
            if (!again || i >= maxAttempts) {
                return o;
            }
            a = a.next(o);
        }
    }
}
