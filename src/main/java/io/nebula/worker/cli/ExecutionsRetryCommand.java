package io.nebula.worker.cli;

import io.nebula.worker.config.WorkerIds;
import io.nebula.worker.pool.SubWorkflows;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.RetryResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code executions retry ID}: a failed or cancelled execution becomes available again with a
 * fresh attempt budget. Nodes that succeeded are kept and not run again unless {@code
 * --from-scratch}. Exit codes: 0 queued again, 3 unknown id, 5 not failed or cancelled.
 */
@Command(
        name = "retry",
        description = "Run a failed or cancelled execution again",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:done",
            "1:database failure",
            "2:bad flags or configuration",
            "3:no execution with that id",
            "5:the execution's state forbids it"
        })
final class ExecutionsRetryCommand extends OpsCommand {
    @Parameters(paramLabel = "ID", description = "The execution id")
    long id;

    @Option(names = "--from-scratch", description = "Forget every node result and run all nodes again")
    boolean fromScratch;

    @Override
    protected int run() {
        RetryResult result;
        String state;
        try (ExecutionStore store = openStore()) {
            result = SubWorkflows.retry(store, id, fromScratch, WorkerIds.operator());
            state = store.executionGet(id).map(v -> v.state().dbName()).orElse(null);
        }
        switch (result) {
            case NOT_FOUND -> throw CommandFailure.noExecution(id);
            case NOT_RETRYABLE ->
                throw new CommandFailure(
                        ExitCode.CONFLICT,
                        "execution " + id + " is " + state + "; only failed or cancelled executions can be retried");
            case REQUEUED -> {}
        }
        if (json) {
            var o = JsonViews.object();
            o.put("id", id);
            o.put("result", "requeued");
            o.put("from_scratch", fromScratch);
            JsonViews.print(out(), o);
        } else {
            out().println("execution " + id + " is queued again"
                    + (fromScratch ? ", from scratch" : "; nodes that succeeded are kept"));
            out().flush();
        }
        return ExitCode.OK;
    }
}
