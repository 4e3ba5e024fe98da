package io.nebula.worker.cli;

import static io.nebula.worker.inspect.HumanTime.instantAndRelative;

import io.nebula.worker.inspect.ExecutionFacts;
import io.nebula.worker.inspect.Explainer;
import io.nebula.worker.inspect.Explanation;
import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.inspect.NodeLine;
import io.nebula.worker.inspect.Timeline;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeTry;
import io.nebula.worker.queue.SignalView;
import io.nebula.worker.queue.WorkflowDocument;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code executions show ID}: everything about one execution: state, attempts, lease holder,
 * timings, input, output or error, each node of the workflow (pending ones too) and the history,
 * plus the one-line explanation of where it stands.
 */
@Command(
        name = "show",
        description = "Show one execution: state, timings, nodes and history",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "1:database failure", "2:bad flags or configuration", "3:no execution with that id"})
final class ExecutionsShowCommand extends OpsCommand {
    @Parameters(paramLabel = "ID", description = "The execution id")
    long id;

    @Override
    protected int run() {
        ExecutionFacts facts;
        List<NodeLine> nodes;
        try (ExecutionStore store = openStore()) {
            facts = ExecutionFacts.read(store, id, liveWithin()).orElseThrow(() -> CommandFailure.noExecution(id));
            String definition = store.workflowGet(facts.execution().workflowHash())
                    .map(WorkflowDocument::definitionJson)
                    .orElse(null);
            nodes = NodeLine.of(definition, facts.nodes());
        }
        Explanation why = Explainer.explain(facts);
        if (json) {
            JsonViews.print(out(), json(facts, nodes, why));
        } else {
            print(out(), facts, nodes, why);
        }
        return ExitCode.OK;
    }

    private static ObjectNode json(ExecutionFacts facts, List<NodeLine> nodes, Explanation why) {
        ObjectNode o = JsonViews.execution(facts.execution());
        ArrayNode n = o.putArray("nodes");
        for (NodeLine line : nodes) {
            ObjectNode node = line.result() == null ? pending(line.nodeId()) : JsonViews.node(line.result());
            node.put("action", line.action());
            n.add(node);
        }
        ArrayNode h = o.putArray("history");
        Timeline.of(facts.history(), facts.nodes()).forEach(e -> h.add(JsonViews.history(e)));
        ArrayNode sig = o.putArray("signals");
        facts.signals().forEach(x -> sig.add(JsonViews.signal(x)));
        o.set("explanation", JsonViews.explanation(facts.execution(), why));
        return o;
    }

    private static ObjectNode pending(String nodeId) {
        ObjectNode o = JsonViews.object();
        o.put("node_id", nodeId);
        o.put("status", "pending");
        o.putNull("attempt");
        o.putNull("started_at");
        o.putNull("finished_at");
        o.putNull("duration_ms");
        o.putNull("output");
        o.putNull("error");
        o.putNull("try");
        o.putArray("failed_tries");
        return o;
    }

    private static void print(PrintWriter out, ExecutionFacts facts, List<NodeLine> nodes, Explanation why) {
        ExecutionView v = facts.execution();
        out.println("Execution " + v.id() + " of workflow '" + Table.clean(v.workflowName()) + "' on queue '"
                + Table.clean(v.queue()) + "'");
        field(out, "state", v.state().dbName() + (v.cancelRequested() ? " (cancel requested)" : ""));
        field(out, "why", why.summary());
        field(
                out,
                "attempts",
                v.attempt() + " of " + v.maxAttempts() + (v.deaths() > 0 ? ", worker deaths: " + v.deaths() : ""));
        field(out, "priority", Integer.toString(v.priority()));
        field(out, "created", instantAndRelative(v.createdAt(), v.now()));
        field(out, "due", instantAndRelative(v.runAt(), v.now()));
        field(out, "started", instantAndRelative(v.startedAt(), v.now()));
        if (v.finishedAt() != null) {
            String took = v.startedAt() == null
                    ? ""
                    : ", " + HumanTime.duration(Duration.between(v.startedAt(), v.finishedAt())) + " after start";
            field(out, "finished", instantAndRelative(v.finishedAt(), v.now()) + took);
        }
        if (v.leaseOwner() != null) {
            String lease = v.leaseExpiresAt() == null
                    ? "last held by " + v.leaseOwner()
                    : "held by " + v.leaseOwner() + " until " + instantAndRelative(v.leaseExpiresAt(), v.now());
            field(out, "lease", lease + " (epoch " + v.leaseEpoch() + ")");
        }
        if (v.idempotencyKey() != null) {
            field(out, "key", v.idempotencyKey());
        }
        field(out, "input", v.inputJson());
        if (v.outputJson() != null) {
            field(out, "output", v.outputJson());
        }
        if (v.lastError() != null) {
            field(out, "error", v.lastError());
        }
        out.println();
        out.println("Nodes");
        Table t = new Table("NODE", "ACTION", "STATUS", "ATTEMPT", "TRY", "DURATION", "OUTPUT / ERROR").limit(6, 80);
        List<String[]> failedTries = new ArrayList<>();
        for (NodeLine n : nodes) {
            NodeResult r = n.result();
            if (r != null) {
                for (NodeTry x : r.tries()) {
                    failedTries.add(new String[] {
                        n.nodeId(),
                        Integer.toString(x.attempt()),
                        Integer.toString(x.tryNumber()),
                        HumanTime.instant(x.startedAt()),
                        x.startedAt() == null || x.finishedAt() == null
                                ? "-"
                                : HumanTime.duration(Duration.between(x.startedAt(), x.finishedAt())),
                        x.error()
                    });
                }
            }
            t.row(
                    n.nodeId(),
                    n.action(),
                    n.status(),
                    r == null ? "-" : r.attempt(),
                    r == null || r.lastTry() == 0 ? "-" : r.lastTry(),
                    r == null || r.startedAt() == null || r.finishedAt() == null
                            ? "-"
                            : HumanTime.duration(Duration.between(r.startedAt(), r.finishedAt())),
                    r == null ? "" : r.error() != null ? r.error() : r.outputJson());
        }
        t.print(out);
        if (!facts.signals().isEmpty()) {
            out.println();
            out.println("Signals");
            Table st = new Table("SIGNAL", "NODE", "WAITING SINCE", "TIMES OUT", "DELIVERED", "DATA").limit(5, 60);
            for (SignalView x : facts.signals()) {
                st.row(
                        x.name(),
                        x.nodeId(),
                        HumanTime.instant(x.waitingSince()),
                        x.timeoutAt() == null
                                ? (x.waitingSince() == null ? "-" : "never")
                                : HumanTime.instant(x.timeoutAt()),
                        HumanTime.instant(x.receivedAt()),
                        x.dataJson());
            }
            st.print(out);
        }
        if (!failedTries.isEmpty()) {
            out.println();
            out.println("Failed tries");
            Table ft = new Table("NODE", "ATTEMPT", "TRY", "STARTED", "DURATION", "ERROR").limit(5, 100);
            failedTries.forEach(row -> ft.row((Object[]) row));
            ft.print(out);
        }
        out.println();
        out.println("History");
        Table h = new Table("AT", "EVENT", "STATE", "ATTEMPT", "BY", "DETAIL").limit(5, 80);
        for (HistoryEntry e : Timeline.of(facts.history(), facts.nodes())) {
            h.row(
                    HumanTime.instant(e.at()),
                    e.event(),
                    e.toState() == null ? "" : (e.fromState() == null ? "" : e.fromState() + " -> ") + e.toState(),
                    e.attempt(),
                    e.workerId(),
                    e.detail());
        }
        h.print(out);
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println(
                "  " + name + " ".repeat(Math.max(1, 10 - name.length())) + Table.clean(value == null ? "-" : value));
    }
}
