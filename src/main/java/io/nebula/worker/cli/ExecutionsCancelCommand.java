package io.nebula.worker.cli;

import io.nebula.worker.config.WorkerIds;
import io.nebula.worker.pool.SubWorkflows;
import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code executions cancel ID}: a waiting execution is cancelled at once; a running one is asked
 * to stop, and its worker ends it at its next heartbeat (nodes already finished keep their
 * results). Exit codes: 0 cancelled or requested, 3 unknown id, 5 already finished.
 */
@Command(
        name = "cancel",
        description = "Cancel an execution (a running one stops at its worker's next heartbeat)",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:done",
            "1:database failure",
            "2:bad flags or configuration",
            "3:no execution with that id",
            "5:the execution's state forbids it"
        })
final class ExecutionsCancelCommand extends OpsCommand {
    @Parameters(paramLabel = "ID", description = "The execution id")
    long id;

    @Option(
            names = "--reason",
            paramLabel = "<TEXT>",
            defaultValue = "cancelled by an operator",
            description = "Recorded in the history [default: cancelled by an operator]")
    String reason;

    @Override
    protected int run() {
        CancelResult result;
        ExecutionView after;
        try (ExecutionStore store = openStore()) {
            result = SubWorkflows.cancel(store, id, reason, WorkerIds.operator());
            after = store.executionGet(id).orElse(null);
        }
        String message = switch (result) {
            case NOT_FOUND -> throw CommandFailure.noExecution(id);
            case ALREADY_FINISHED ->
                throw new CommandFailure(
                        ExitCode.CONFLICT,
                        "execution " + id + " already finished ("
                                + (after == null ? "?" : after.state().dbName()) + "); nothing to cancel");
            case CANCELLED -> "execution " + id + " is cancelled";
            case REQUESTED ->
                "cancel requested: worker " + (after == null ? "?" : after.leaseOwner()) + " stops execution " + id
                        + " at its next heartbeat";
        };
        if (json) {
            var o = JsonViews.object();
            o.put("id", id);
            o.put("result", result.name().toLowerCase(Locale.ROOT));
            o.put("state", after == null ? null : after.state().dbName());
            JsonViews.print(out(), o);
        } else {
            out().println(message);
            out().flush();
        }
        return ExitCode.OK;
    }
}
