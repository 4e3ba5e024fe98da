package io.nebula.worker.cli;

import io.nebula.worker.inspect.ExecutionFacts;
import io.nebula.worker.inspect.Explainer;
import io.nebula.worker.inspect.Explanation;
import io.nebula.worker.queue.ExecutionStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code executions explain ID}: the first reason the execution is not running, in plain words,
 * computed from the execution row, its history, the worker registry, the paused queues and the
 * database clock (see {@link Explainer}). Exit codes: 0 explained, 3 unknown id.
 */
@Command(
        name = "explain",
        description = "Say why an execution is not running (or what it is doing)",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "1:database failure", "2:bad flags or configuration", "3:no execution with that id"})
final class ExecutionsExplainCommand extends OpsCommand {
    @Parameters(paramLabel = "ID", description = "The execution id")
    long id;

    @Override
    protected int run() {
        ExecutionFacts facts;
        try (ExecutionStore store = openStore()) {
            facts = ExecutionFacts.read(store, id, liveWithin()).orElseThrow(() -> CommandFailure.noExecution(id));
        }
        Explanation e = Explainer.explain(facts);
        if (json) {
            JsonViews.print(out(), JsonViews.explanation(facts.execution(), e));
            return ExitCode.OK;
        }
        out().println("execution " + id + " (" + Table.clean(facts.execution().workflowName()) + "): "
                + facts.execution().state().dbName() + " [" + e.reason().code() + "]");
        out().println(Table.clean(e.summary()));
        e.notes().forEach(n -> out().println("  - " + Table.clean(n)));
        if (e.hint() != null) {
            out().println("Next step: " + Table.clean(e.hint()));
        }
        out().flush();
        return ExitCode.OK;
    }
}
