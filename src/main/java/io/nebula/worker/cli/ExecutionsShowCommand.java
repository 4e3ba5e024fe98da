package io.nebula.worker.cli;

import static io.nebula.worker.inspect.HumanTime.instantAndRelative;

import io.nebula.worker.inspect.ExecutionFacts;
import io.nebula.worker.inspect.Explainer;
import io.nebula.worker.inspect.Explanation;
import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.inspect.MapProgress;
import io.nebula.worker.inspect.NodeLine;
import io.nebula.worker.inspect.Timeline;
import io.nebula.worker.pool.SubWorkflows;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.MapItems;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeTry;
import io.nebula.worker.queue.SignalView;
import io.nebula.worker.queue.WorkflowDocument;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code executions show ID}: everything about one execution: state, attempts, lease holder,
 * timings, input, output or error, each node of the workflow (pending ones too) and the history,
 * plus the one-line explanation of where it stands. A map node shows its items' progress (done,
 * failed, running, pending) and its first failed items; items are not listed one by one.
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
        List<SubWorkflows.Child> children;
        Duration timeout;
        try (ExecutionStore store = openStore()) {
            facts = ExecutionFacts.read(store, id, liveWithin()).orElseThrow(() -> CommandFailure.noExecution(id));
            children = SubWorkflows.children(store, facts.execution(), CHILDREN_SHOWN + 1);
            String definition = store.workflowGet(facts.execution().workflowHash())
                    .map(WorkflowDocument::definitionJson)
                    .orElse(null);
            nodes = NodeLine.of(definition, facts.nodes());
            timeout = timeout(definition);
        }
        Explanation why = Explainer.explain(facts);
        if (json) {
            ObjectNode o = json(facts, nodes, why);
            links(o, facts.execution(), children);
            if (timeout == null) {
                o.putNull("timeout_seconds");
            } else {
                o.put("timeout_seconds", timeout.toMillis() / 1000.0);
            }
            Instant end = timesOutAt(facts.execution(), timeout);
            if (end == null) {
                o.putNull("times_out_at");
            } else {
                o.put("times_out_at", end.toString());
            }
            JsonViews.print(out(), o);
        } else {
            print(out(), facts, nodes, why, children, timeout);
        }
        return ExitCode.OK;
    }

    /** The workflow's {@code timeout_seconds}, or {@code null} when it has none (or its definition is gone). */
    static Duration timeout(String definitionJson) {
        if (definitionJson == null) {
            return null;
        }
        try {
            JsonNode t = JsonViews.JSON.readTree(definitionJson).path("timeout_seconds");
            return t.isNumber() ? Duration.ofMillis(Math.round(t.asDouble() * 1000)) : null;
        } catch (tools.jackson.core.JacksonException e) {
            return null;
        }
    }

    /** When an unfinished execution that has started times out; {@code null} otherwise. */
    static Instant timesOutAt(ExecutionView v, Duration timeout) {
        return timeout == null || v.startedAt() == null || v.state().isTerminal()
                ? null
                : v.startedAt().plus(timeout);
    }

    /** Children listed at most, in the text and in the JSON (a map over a workflow node has one per item). */
    static final int CHILDREN_SHOWN = 100;

    /** Failed map items listed at most, in the text and in the JSON. */
    static final int FAILED_ITEMS_SHOWN = 20;

    private static ObjectNode json(ExecutionFacts facts, List<NodeLine> nodes, Explanation why) {
        ObjectNode o = JsonViews.execution(facts.execution());
        boolean active = facts.execution().state() == ExecutionState.RUNNING;
        ArrayNode n = o.putArray("nodes");
        for (NodeLine line : nodes) {
            ObjectNode node = line.result() == null ? pending(line.nodeId()) : JsonViews.node(line.result());
            node.put("action", line.action());
            if (line.map() != null) {
                MapProgress m = line.map();
                ObjectNode items = node.putObject("items");
                items.put("total", m.total());
                items.put("done", m.done());
                items.put("failed", m.failed());
                items.put("running", m.running(active && line.result() == null));
                items.put("pending", m.pending(active && line.result() == null));
                ArrayNode failed = items.putArray("failed_items");
                failedItems(facts, line.nodeId()).forEach(r -> failed.add(JsonViews.node(r)));
            }
            n.add(node);
        }
        ArrayNode h = o.putArray("history");
        Timeline.of(facts.history(), withoutItems(facts)).forEach(e -> h.add(JsonViews.history(e)));
        ArrayNode sig = o.putArray("signals");
        facts.signals().forEach(x -> sig.add(JsonViews.signal(x)));
        o.set("explanation", JsonViews.explanation(facts.execution(), why));
        return o;
    }

    /** The node results of the execution's nodes, without those of map items. */
    private static List<NodeResult> withoutItems(ExecutionFacts facts) {
        return facts.nodes().stream().filter(r -> !MapProgress.isItemRow(r)).toList();
    }

    /** The first failed items of map node {@code nodeId}, by index. */
    private static List<NodeResult> failedItems(ExecutionFacts facts, String nodeId) {
        return facts.nodes().stream()
                .filter(r -> r.status() == io.nebula.worker.queue.NodeStatus.FAILED
                        && nodeId.equals(MapItems.nodeOf(r.nodeId()))
                        && MapItems.indexOf(r.nodeId()) >= 0)
                .sorted(java.util.Comparator.comparingInt(r -> MapItems.indexOf(r.nodeId())))
                .limit(FAILED_ITEMS_SHOWN)
                .toList();
    }

    /** {@code parent} (or null) and {@code children}: the sub-workflow links of the execution. */
    private static void links(ObjectNode o, ExecutionView v, List<SubWorkflows.Child> children) {
        var parent = SubWorkflows.parent(v);
        if (parent.isPresent()) {
            ObjectNode p = o.putObject("parent");
            p.put("execution_id", parent.get().executionId());
            p.put("node_id", parent.get().nodeId());
        } else {
            o.putNull("parent");
        }
        ArrayNode c = o.putArray("children");
        for (SubWorkflows.Child child : children.subList(0, Math.min(CHILDREN_SHOWN, children.size()))) {
            ObjectNode x = c.addObject();
            x.put("node_id", child.nodeId());
            x.put("execution_id", child.execution().id());
            x.put("workflow", child.execution().workflowName());
            x.put("state", child.execution().state().dbName());
        }
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

    private static void print(
            PrintWriter out,
            ExecutionFacts facts,
            List<NodeLine> nodes,
            Explanation why,
            List<SubWorkflows.Child> children,
            Duration timeout) {
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
        if (timeout != null) {
            Instant end = timesOutAt(v, timeout);
            field(
                    out,
                    "timeout",
                    HumanTime.duration(timeout) + " from its first start"
                            + (end == null ? "" : ", at " + instantAndRelative(end, v.now())));
        }
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
        SubWorkflows.parent(v)
                .ifPresent(
                        p -> field(out, "parent", "execution " + p.executionId() + " (its node '" + p.nodeId() + "')"));
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
        List<NodeResult> failedItems = new ArrayList<>();
        boolean active = v.state() == ExecutionState.RUNNING;
        for (NodeLine n : nodes) {
            NodeResult r = n.result();
            if (n.map() != null) {
                failedItems.addAll(failedItems(facts, n.nodeId()));
            }
            String progress = n.map() == null ? "" : "[" + n.map().summary(active && r == null) + "] ";
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
                    progress + (r == null ? "" : r.error() != null ? r.error() : r.outputJson()));
        }
        t.print(out);
        if (!children.isEmpty()) {
            out.println();
            out.println("Children (sub-workflow executions"
                    + (children.size() > CHILDREN_SHOWN ? ", the first " + CHILDREN_SHOWN : "") + ")");
            Table ct = new Table("NODE", "EXECUTION", "WORKFLOW", "STATE");
            for (SubWorkflows.Child c : children.subList(0, Math.min(CHILDREN_SHOWN, children.size()))) {
                ct.row(
                        c.nodeId(),
                        c.execution().id(),
                        c.execution().workflowName(),
                        c.execution().state().dbName());
            }
            ct.print(out);
        }
        if (!failedItems.isEmpty()) {
            out.println();
            out.println("Failed items (first " + FAILED_ITEMS_SHOWN + " of each map node)");
            Table fi = new Table("NODE", "ITEM", "ATTEMPT", "TRY", "ERROR").limit(4, 100);
            for (NodeResult r : failedItems) {
                fi.row(
                        MapItems.nodeOf(r.nodeId()),
                        MapItems.indexOf(r.nodeId()),
                        r.attempt(),
                        r.lastTry() == 0 ? "-" : r.lastTry(),
                        r.error());
            }
            fi.print(out);
        }
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
        Table h = new Table("AT", "EVENT", "STATE", "ATTEMPT", "WORKER", "DETAIL").limit(5, 80);
        for (HistoryEntry e : Timeline.of(facts.history(), withoutItems(facts))) {
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
