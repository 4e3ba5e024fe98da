package io.nebula.worker.cli;

import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.workflow.LoadedWorkflow;
import java.io.PrintWriter;
import java.time.Duration;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code submit --wait}: follows the execution by polling the store (a terminal state sends no
 * wake-up, and the worker may be another process), prints node-by-node progress, then the output
 * or the error. The exit code says how it ended: 0 succeeded, 6 failed, 7 cancelled, 8 still not
 * finished when {@code --timeout} ran out. Ctrl-C stops following; the execution carries on.
 */
final class SubmitWait {
    /** How often the store is read while following; a few cheap primary-key reads each time. */
    static final Duration POLL = Duration.ofMillis(150);

    private final ExecutionStore store;
    private final PrintWriter out;
    private final boolean json;
    private final ProgressPrinter progress;

    SubmitWait(ExecutionStore store, PrintWriter out, boolean json, ProgressPrinter progress) {
        this.store = store;
        this.out = out;
        this.json = json;
        this.progress = progress;
    }

    int follow(Submitted s, LoadedWorkflow workflow, SubmitOptions options, Duration timeout)
            throws InterruptedException {
        long id = s.executionId();
        String prefix = "execution " + id;
        if (!json) {
            progress.line(
                    s.created()
                            ? "submitted " + prefix + " of workflow '" + workflow.name() + "' on queue '"
                                    + options.queue() + "'"
                            : prefix + " already exists for idempotency key '" + options.idempotencyKey()
                                    + "'; following it");
        }
        ExecutionWatch watch = new ExecutionWatch(id);
        long start = System.nanoTime();
        long deadline = timeout == null ? Long.MAX_VALUE : start + timeout.toNanos();
        while (true) {
            for (String line : watch.refresh(store)) {
                if (!json) {
                    progress.line(prefix + ": " + line);
                }
            }
            if (watch.terminal() || System.nanoTime() >= deadline) {
                break;
            }
            if (!json) {
                progress.status(prefix + ": " + watch.status() + ", "
                        + HumanTime.duration(Duration.ofNanos(System.nanoTime() - start)));
            }
            Thread.sleep(POLL.toMillis());
        }
        progress.clearStatus();
        ExecutionView v = watch.view();
        if (json) {
            ObjectNode o = submitted(s, workflow, options);
            o.put("state", v.state().dbName());
            o.put("attempt", v.attempt());
            o.set("output", JsonViews.embedded(v.outputJson()));
            o.put("error", v.lastError());
            o.put("timed_out", !v.state().isTerminal());
            JsonViews.print(out, o);
        } else {
            report(v, timeout);
        }
        return switch (v.state()) {
            case SUCCEEDED -> ExitCode.OK;
            case FAILED -> ExitCode.EXECUTION_FAILED;
            case CANCELLED -> ExitCode.EXECUTION_CANCELLED;
            case AVAILABLE, RUNNING -> ExitCode.TIMED_OUT;
        };
    }

    private void report(ExecutionView v, Duration timeout) {
        switch (v.state()) {
            case SUCCEEDED -> {
                out.println("output:");
                out.println(JsonViews.JSON
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(JsonViews.embedded(v.outputJson())));
            }
            case FAILED -> out.println("error: " + Table.clean(String.valueOf(v.lastError())));
            case CANCELLED ->
                out.println("cancelled" + (v.lastError() == null ? "" : ": " + Table.clean(v.lastError())));
            case AVAILABLE, RUNNING ->
                out.println("still " + v.state().dbName() + " after "
                        + HumanTime.duration(timeout) + "; it carries on: `nebula-worker executions show " + v.id()
                        + "` or `executions explain " + v.id() + "`");
        }
        out.flush();
    }

    /** The JSON every submit prints for one execution. */
    static ObjectNode submitted(Submitted s, LoadedWorkflow workflow, SubmitOptions options) {
        ObjectNode o = JsonViews.object();
        o.put("id", s.executionId());
        o.put("created", s.created());
        o.put("workflow", workflow.name());
        o.put("workflow_hash", workflow.hash());
        o.put("queue", options.queue());
        return o;
    }
}
