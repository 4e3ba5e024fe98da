package io.nebula.worker.cli;

import io.nebula.worker.config.WorkerIds;
import io.nebula.worker.console.TimeText;
import io.nebula.worker.pool.BulkRetry;
import io.nebula.worker.pool.SubWorkflows;
import io.nebula.worker.queue.ExecutionQuery;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.RetryResult;
import io.nebula.worker.redact.Redaction;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code executions retry ID}: a failed or cancelled execution becomes available again with a
 * fresh attempt budget. Nodes that succeeded are kept and not run again unless {@code
 * --from-scratch}. Exit codes: 0 queued again, 3 unknown id, 5 not failed or cancelled.
 *
 * <p>{@code executions retry --state failed [filters]}: the same for every failed (or cancelled)
 * execution the filters match, newest first, up to {@code --limit} ({@link BulkRetry}); {@code
 * --dry-run} only counts them.
 */
@Command(
        name = "retry",
        description = "Run a failed or cancelled execution again, or every one a filter matches",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:done",
            "1:database failure",
            "2:bad flags or configuration",
            "3:no execution with that id",
            "5:the execution's state forbids it"
        })
final class ExecutionsRetryCommand extends OpsCommand {
    @Parameters(paramLabel = "ID", arity = "0..1", description = "The execution id (or filter with --state)")
    Long id;

    @Option(names = "--from-scratch", description = "Forget every node result and run all nodes again")
    boolean fromScratch;

    @Option(
            names = "--state",
            paramLabel = "<STATE>",
            converter = ExecutionsListCommand.StateConverter.class,
            description = "Retry every execution in this state (failed or cancelled) that the filters match")
    ExecutionState state;

    @Option(names = "--workflow", paramLabel = "<NAME>", description = "With --state: only this workflow")
    String workflow;

    @Option(names = "--queue", paramLabel = "<QUEUE>", description = "With --state: only this queue")
    String queue;

    @Option(
            names = "--from",
            paramLabel = "<TIME>",
            description = "With --state: only executions created at or after this time (2026-03-01T10:00:00Z,"
                    + " or a duration back from now such as 2h)")
    String from;

    @Option(
            names = "--until",
            paramLabel = "<TIME>",
            description = "With --state: only executions created before this time")
    String until;

    @Option(
            names = "--limit",
            paramLabel = "<N>",
            description = "With --state: the most executions to retry, newest first [default: 1000, at most 10000]")
    Integer limitGiven;

    /** What {@code --limit} is when not given. */
    static final int DEFAULT_LIMIT = 1_000;

    @Option(names = "--dry-run", description = "With --state: count what matches and change nothing")
    boolean dryRun;

    @Override
    protected int run() {
        if (state != null || id == null) {
            return bulk();
        }
        if (workflow != null || queue != null || from != null || until != null || dryRun || limitGiven != null) {
            throw new CommandFailure(
                    ExitCode.USAGE,
                    "--workflow, --queue, --from, --until, --limit and --dry-run go with --state, not an ID");
        }
        RetryResult result;
        String current;
        try (ExecutionStore store = openStore()) {
            result = SubWorkflows.retry(store, id, fromScratch, WorkerIds.operator());
            current = result == RetryResult.SUPERSEDED
                    ? SubWorkflows.superseded(store, id)
                    : store.executionGet(id).map(v -> v.state().dbName()).orElse(null);
        }
        switch (result) {
            case NOT_FOUND -> throw CommandFailure.noExecution(id);
            case NOT_RETRYABLE ->
                throw new CommandFailure(
                        ExitCode.CONFLICT,
                        "execution " + id + " is " + current + "; only failed or cancelled executions can be retried");
            case SUPERSEDED -> throw new CommandFailure(ExitCode.CONFLICT, current);
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

    private int bulk() {
        if (id != null) {
            throw new CommandFailure(ExitCode.USAGE, "give an execution ID or --state with filters, not both");
        }
        if (state == null) {
            throw new CommandFailure(
                    ExitCode.USAGE, "give an execution ID, or --state failed (or cancelled) to retry every match");
        }
        if (state != ExecutionState.FAILED && state != ExecutionState.CANCELLED) {
            throw new CommandFailure(
                    ExitCode.USAGE,
                    "--state " + state.dbName() + ": only failed or cancelled executions can be retried");
        }
        int limit = limitGiven == null ? DEFAULT_LIMIT : limitGiven;
        if (limit < 1 || limit > BulkRetry.MAX) {
            throw new CommandFailure(ExitCode.USAGE, "--limit must be from 1 to " + BulkRetry.MAX + ", not " + limit);
        }
        BulkRetry.Result r;
        try (ExecutionStore store = openStore()) {
            Instant now = store.databaseNow();
            ExecutionQuery q;
            try {
                q = ExecutionQuery.newest(1)
                        .withState(state)
                        .withWorkflow(workflow, null)
                        .withQueue(queue)
                        .withCreated(TimeText.parse("--from", from, now), TimeText.parse("--until", until, now));
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ExitCode.USAGE, e.getMessage());
            }
            try {
                r = BulkRetry.retry(store, q, limit, fromScratch, WorkerIds.operator(), dryRun);
            } catch (BulkRetry.Stopped stopped) {
                return stopped(stopped);
            }
        }
        if (json) {
            JsonViews.print(out(), json(r));
            return ExitCode.OK;
        }
        String what = state.dbName() + " execution" + (r.matched() == 1 ? "" : "s");
        if (dryRun) {
            out().println(r.matched() + " " + what + (r.matched() == 1 ? " matches" : " match")
                    + "; nothing was changed"
                    + (r.skipped() > 0
                            ? "; " + r.skipped() + " of them would be left to their failed or cancelled parent's retry"
                            : "")
                    + (r.more() ? " (more may match beyond --limit " + limit + ")" : ""));
        } else {
            out().println(r.requeued() + " of " + r.matched() + " " + what + " queued again"
                    + (fromScratch ? ", from scratch" : "; nodes that succeeded are kept")
                    + (r.skipped() > 0
                            ? "; " + r.skipped() + " were left (changed state meanwhile, or left to their failed"
                                    + " or cancelled parent's retry)"
                            : "")
                    + (r.more() ? "; more may match: run it again, or raise --limit" : ""));
        }
        out().flush();
        return ExitCode.OK;
    }

    /** A bulk retry's counts, as --json prints them. */
    private ObjectNode json(BulkRetry.Result r) {
        var o = JsonViews.object();
        o.put("matched", r.matched());
        o.put("requeued", r.requeued());
        o.put("skipped", r.skipped());
        o.put("more", r.more());
        o.put("dry_run", dryRun);
        o.put("from_scratch", fromScratch);
        return o;
    }

    /**
     * The database failed part way: what was queued again until then is said (with --json, as the
     * same object with {@code "stopped"} set), then the error, with the exit code of a database
     * error.
     */
    private int stopped(BulkRetry.Stopped stopped) {
        BulkRetry.Result r = stopped.done();
        if (json) {
            var o = json(r);
            o.put("stopped", Redaction.redact(String.valueOf(stopped.getMessage())));
            JsonViews.print(out(), o);
            out().flush();
        }
        throw new CommandFailure(
                ExitCode.FAILURE,
                "the database failed after " + r.requeued() + " " + state.dbName() + " execution"
                        + (r.requeued() == 1 ? " was" : "s were") + " queued again: "
                        + stopped.getMessage() + "; run the same command again to retry the rest");
    }
}
