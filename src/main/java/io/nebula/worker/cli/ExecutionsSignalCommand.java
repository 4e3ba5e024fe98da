package io.nebula.worker.cli;

import io.nebula.worker.action.builtin.SignalAction;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.SignalDelivery;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code executions signal ID NAME [--data JSON]}: delivers a signal to an execution. A {@code
 * signal} node waiting for it gets the data as its output and the execution runs on; a signal sent
 * before the node waits is kept until it does. The first delivery of a name counts: sending it
 * again changes nothing (and says so). Exit codes: 0 delivered (or already delivered), 3 unknown
 * id, 4 invalid data, 5 the execution has finished.
 */
@Command(
        name = "signal",
        description = "Deliver a signal to an execution (a waiting signal node outputs its data)",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:delivered, or delivered before (the first delivery counts)",
            "1:database failure",
            "2:bad flags or configuration; no signal node waits for that name (without --force)",
            "3:no execution with that id",
            "4:the data is not valid JSON",
            "5:the execution has finished; the node that waited for it has finished (without --force)"
        })
final class ExecutionsSignalCommand extends OpsCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The execution id")
    long id;

    @Parameters(index = "1", paramLabel = "NAME", description = "The signal's name, as the signal node names it")
    String name;

    @Option(
            names = "--data",
            paramLabel = "<JSON|@FILE>",
            description = "The signal's data: JSON text, or @FILE (@- reads stdin) [default: {}]")
    String data;

    @Option(
            names = "--force",
            description = "Deliver it even if no signal node of the execution's workflow waits for that name, or"
                    + " the one that did has finished")
    boolean force;

    @Override
    protected int run() {
        if (!SignalAction.NAME.matcher(name).matches()) {
            throw new CommandFailure(
                    ExitCode.USAGE,
                    "signal name '" + Table.clean(name)
                            + "' is not valid: use 1 to 64 letters, digits, _ . : - (starting with a letter or digit)");
        }
        String json = JsonArgument.read(
                data,
                "--data",
                "signal data",
                config().queue().maxInputBytes(),
                config().limits().executionValues());
        SignalDelivery d;
        try (ExecutionStore store = openStore()) {
            if (!force) {
                checkSomeNodeWaits(store);
            }
            d = store.signalSend(id, name, json, io.nebula.worker.config.WorkerIds.operator());
        }
        String message = switch (d.outcome()) {
            case NOT_FOUND -> throw CommandFailure.noExecution(id);
            case FINISHED ->
                throw new CommandFailure(
                        ExitCode.CONFLICT,
                        "execution " + id + " already finished (" + d.state().dbName() + "); signal '" + name
                                + "' was not delivered");
            case DUPLICATE ->
                "signal '" + name + "' was already delivered to execution " + id + "; the first delivery stands";
            case DELIVERED ->
                "delivered signal '" + name + "' to execution " + id
                        + (d.woke()
                                ? "; it was waiting and runs again now"
                                : " (" + d.state().dbName() + ")");
        };
        if (this.json) {
            var o = JsonViews.object();
            o.put("id", id);
            o.put("signal", name);
            o.put("result", d.outcome().name().toLowerCase(Locale.ROOT));
            o.put("state", d.state().dbName());
            o.put("woke", d.woke());
            JsonViews.print(out(), o);
        } else {
            out().println(message);
            out().flush();
        }
        return ExitCode.OK;
    }

    /**
     * Refuses a signal that nothing would read: no signal node of the execution's workflow waits
     * for that name (a typo, or a signal meant for a sub-workflow's own execution), or the one
     * that does has finished (it timed out, or took an earlier delivery). A name written as an
     * expression is not known before it runs, so it passes.
     */
    private void checkSomeNodeWaits(ExecutionStore store) {
        var execution = store.executionGet(id).orElse(null);
        if (execution == null || execution.state().isTerminal()) {
            return; // the delivery itself says so
        }
        String definition = store.workflowGet(execution.workflowHash())
                .map(io.nebula.worker.queue.WorkflowDocument::definitionJson)
                .orElse(null);
        if (definition == null) {
            return;
        }
        java.util.List<String> names = new java.util.ArrayList<>();
        java.util.List<String> mine = new java.util.ArrayList<>();
        boolean children = false;
        for (var node : JsonViews.JSON.readTree(definition).path("nodes")) {
            children |= node.has("workflow");
            if (!SignalAction.ACTION.equals(node.path("action").asString(""))) {
                continue;
            }
            var waitedName = node.path("params").path("name");
            if (!waitedName.isString() || waitedName.asString().contains("${{")) {
                return; // the name is computed (the params, or the name, as an expression)
            }
            String waited = waitedName.asString();
            names.add(waited);
            if (waited.equals(name)) {
                mine.add(node.path("id").asString(""));
            }
        }
        if (mine.isEmpty()) {
            throw new CommandFailure(
                    ExitCode.USAGE,
                    "no signal node of workflow '" + Table.clean(execution.workflowName()) + "' waits for signal '"
                            + name + "'"
                            + (names.isEmpty() ? "" : " (its signal nodes wait for: " + String.join(", ", names) + ")")
                            + (children
                                    ? "; a sub-workflow's nodes wait in the child's own execution (executions show "
                                            + id + " names it)"
                                    : "")
                            + "; nothing was delivered; give --force to deliver it anyway");
        }
        var finished = store.nodeResultList(id).stream()
                // A failed one runs again when the execution is retried, and would read it then.
                .filter(r -> mine.contains(r.nodeId()) && r.status() == io.nebula.worker.queue.NodeStatus.SUCCEEDED)
                .toList();
        boolean deliveredBefore =
                store.signalList(id).stream().anyMatch(x -> x.name().equals(name) && x.receivedAt() != null);
        if (finished.size() == mine.size() && !deliveredBefore) {
            throw new CommandFailure(
                    ExitCode.CONFLICT,
                    "node '" + finished.get(0).nodeId() + "' of execution " + id + " already finished"
                            + (finished.get(0).outputJson() != null
                                            && finished.get(0).outputJson().contains("\"timed_out\":true")
                                    ? " (its wait for signal '" + name + "' timed out)"
                                    : "")
                            + ": nothing would read signal '" + name + "'; nothing was delivered; give --force to"
                            + " deliver it anyway");
        }
    }
}
