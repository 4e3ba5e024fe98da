package io.nebula.worker.cli;

import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.inspect.WaitText;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code executions list}: the newest executions, optionally filtered by state, workflow and queue,
 * paged on by id with {@code --before}.
 */
@Command(name = "list", description = "List executions, newest first")
final class ExecutionsListCommand extends OpsCommand {
    @Option(
            names = "--state",
            paramLabel = "<STATE>",
            converter = StateConverter.class,
            description = "Only this state: available, running, succeeded, failed or cancelled")
    ExecutionState state;

    @Option(names = "--workflow", paramLabel = "<NAME>", description = "Only executions of this workflow")
    String workflow;

    @Option(names = "--queue", paramLabel = "<QUEUE>", description = "Only executions on this queue")
    String queue;

    @Option(
            names = "--before",
            paramLabel = "<ID>",
            description = "Only executions older than this one: the next page after a list that ended at it")
    Long before;

    @Option(
            names = "--limit",
            paramLabel = "<N>",
            defaultValue = "20",
            description = "Most executions to list [default: 20]")
    int limit;

    @Override
    protected int run() {
        if (limit < 1 || limit > 100_000) {
            throw new CommandFailure(ExitCode.USAGE, "--limit must be from 1 to 100000, not " + limit);
        }
        if (before != null && before < 1) {
            throw new CommandFailure(ExitCode.USAGE, "--before must be an execution id (1 or more), not " + before);
        }
        List<ExecutionView> views;
        Set<String> paused;
        try (ExecutionStore store = openStore()) {
            // One row more than asked tells whether an older page exists.
            views = store.executionList(new ExecutionFilter(state, workflow, queue, before, limit + 1));
            paused = Set.copyOf(store.queuePausedList());
        }
        boolean more = views.size() > limit;
        if (more) {
            views = views.subList(0, limit);
        }
        if (json) {
            var array = JsonViews.array();
            views.forEach(v -> array.add(JsonViews.execution(v)));
            // Nothing on standard error either: a script reads the array alone (also through
            // 2>&1) and asks for the next page with the last id it got.
            JsonViews.print(out(), array);
            return ExitCode.OK;
        }
        if (views.isEmpty()) {
            out().println("No executions match.");
            out().flush();
            return ExitCode.OK;
        }
        Table t = new Table("ID", "WORKFLOW", "QUEUE", "STATE", "ATTEMPTS", "CREATED", "DETAIL");
        for (ExecutionView v : views) {
            t.row(
                    v.id(),
                    v.workflowName(),
                    v.queue(),
                    v.state().dbName(),
                    v.attempt() + "/" + v.maxAttempts(),
                    HumanTime.instant(v.createdAt()),
                    detail(v, paused.contains(v.queue())));
        }
        t.print(out());
        nextPage(views, more);
        return ExitCode.OK;
    }

    /**
     * Names the next page when older executions match: on standard error, so that standard output
     * stays the table alone.
     */
    private void nextPage(List<ExecutionView> views, boolean more) {
        if (more) {
            err().println("For older executions, add --before "
                    + views.get(views.size() - 1).id());
            err().flush();
        }
    }

    /** The one thing worth knowing about an execution in its state. */
    static String detail(ExecutionView v, boolean queuePaused) {
        return switch (v.state()) {
            case AVAILABLE -> WaitText.of(v.runAt(), v.awaitingSignal(), v.now(), queuePaused);
            case RUNNING -> "on " + v.leaseOwner() + (v.cancelRequested() ? " (cancel requested)" : "");
            case SUCCEEDED -> v.outputJson() == null ? "" : v.outputJson();
            case FAILED, CANCELLED -> v.lastError() == null ? "" : v.lastError();
        };
    }

    /** Converts {@code --state} with the allowed names in the error. */
    static final class StateConverter implements ITypeConverter<ExecutionState> {
        @Override
        public ExecutionState convert(String value) {
            try {
                return ExecutionState.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
