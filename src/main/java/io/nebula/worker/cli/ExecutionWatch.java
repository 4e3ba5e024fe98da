package io.nebula.worker.cli;

import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.inspect.NodeLine;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.NodeTry;
import io.nebula.worker.queue.WorkflowDocument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Follows one execution from outside the worker, by reading the store: each {@link #refresh}
 * returns what happened since the previous one (claims, nodes finishing, retries, durable waits,
 * the outcome) as lines for people, and {@link #status()} sums up where it is now. Works from any
 * process, because everything it shows is what the worker recorded.
 */
final class ExecutionWatch {
    private final long id;
    private String definition;
    private ExecutionView view;
    private List<NodeLine> nodes = List.of();
    private int historySeen;
    private final Map<String, String> nodeSeen = new HashMap<>();
    private final boolean triesHeard;
    /** The newest event of the history as last read. */
    private String lastEvent = "submitted";
    /** The reason of the cancel request seen, kept for the end of the execution. */
    private String cancelReason;

    ExecutionWatch(long id) {
        this(id, false);
    }

    /**
     * @param triesHeard whether the caller prints failed tries as they happen (the demo hears them
     *     inside its worker); node lines then only say which try succeeded instead of repeating
     *     the errors
     */
    ExecutionWatch(long id, boolean triesHeard) {
        this.id = id;
        this.triesHeard = triesHeard;
    }

    long id() {
        return id;
    }

    /** The execution as last read; {@code null} before the first refresh. */
    ExecutionView view() {
        return view;
    }

    /** The newest event in the execution's history as last read ({@code submitted} before any). */
    String lastEvent() {
        return lastEvent;
    }

    List<NodeLine> nodes() {
        return nodes;
    }

    /** Reads the execution again and describes what changed, oldest first. */
    List<String> refresh(ExecutionStore store) {
        return refresh(store, List.of());
    }

    /**
     * As {@link #refresh(ExecutionStore)}, with {@code notes} heard from inside the worker (node
     * tries that failed) placed where they happened: after the claim, before the nodes' results.
     */
    List<String> refresh(ExecutionStore store, List<String> notes) {
        if (definition == null) {
            definition = store.workflowGet(read(store).workflowHash())
                    .map(WorkflowDocument::definitionJson)
                    .orElse(null);
        }
        // The history and the node results are read before the row, so the state a caller reports
        // (and exits with) is never older than the lines made from them. When the row finished
        // after the history was read, they are read again, so they hold its last events, until two
        // reads of the row agree (an operator's retry can move it on in between).
        List<HistoryEntry> history = store.historyList(id);
        List<NodeResult> results = store.nodeResultList(id);
        view = read(store);
        for (int i = 0; i < 3 && view.state().isTerminal() && !endsWithEndOf(history, view); i++) {
            history = store.historyList(id);
            results = store.nodeResultList(id);
            ExecutionView again = read(store);
            boolean same = again.state() == view.state()
                    && again.attempt() == view.attempt()
                    && Objects.equals(again.finishedAt(), view.finishedAt());
            view = again;
            if (same) {
                break;
            }
        }
        nodes = NodeLine.of(definition, results);
        lastEvent = history.isEmpty()
                ? "submitted"
                : history.get(history.size() - 1).event();
        List<HistoryEntry> fresh = history.subList(Math.min(historySeen, history.size()), history.size());
        // Events in their order, the nodes' results placed after the last claim (or wake by a
        // signal) among them: a claim starts an attempt, so it comes before the nodes it ran, and
        // every other event (retry, durable wait, release, the outcome) ends one. Several attempts
        // between two reads (a parent that looks at its children often) keep their order.
        int split = 0;
        for (int i = 0; i < fresh.size(); i++) {
            String event = fresh.get(i).event();
            if (event.equals("claimed") || event.equals("signal_received")) {
                split = i + 1;
            }
        }
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (int i = 0; i < fresh.size(); i++) {
            boolean latest = historySeen + i == history.size() - 1;
            (i < split ? before : after).add(describe(fresh.get(i), latest));
        }
        historySeen = history.size();
        List<String> out = new ArrayList<>(before);
        out.addAll(notes);
        for (NodeLine n : nodes) {
            NodeResult r = n.result();
            String key = r == null ? "pending" : r.status().dbName() + "@" + r.attempt();
            if (r != null && !key.equals(nodeSeen.get(n.nodeId()))) {
                out.add(describe(n, r));
            }
            nodeSeen.put(n.nodeId(), key);
        }
        out.addAll(after);
        return out;
    }

    /**
     * Whether {@code history} ends with the transition into {@code view}'s state, in its attempt
     * and lease (an operator's retry starts the attempts again, not the leases).
     */
    private static boolean endsWithEndOf(List<HistoryEntry> history, ExecutionView view) {
        if (history.isEmpty()) {
            return false;
        }
        HistoryEntry last = history.get(history.size() - 1);
        return view.state().dbName().equals(last.toState())
                && last.attempt() == view.attempt()
                && last.leaseEpoch() == view.leaseEpoch();
    }

    private ExecutionView read(ExecutionStore store) {
        return store.executionGet(id).orElseThrow(() -> CommandFailure.noExecution(id));
    }

    /** @param latest whether {@code h} is the newest event, the one the execution's due time belongs to */
    private String describe(HistoryEntry h, boolean latest) {
        String detail = h.detail() == null || h.detail().isBlank() ? "" : ": " + h.detail();
        return switch (h.event()) {
            case "claimed" ->
                "claimed by " + h.workerId() + " (attempt " + h.attempt() + " of " + view.maxAttempts() + ")";
            case "retry_scheduled" ->
                "attempt " + h.attempt() + " failed; retrying"
                        + (latest ? " at " + HumanTime.instant(view.runAt()) : "") + detail;
            case "waiting" ->
                h.detail() != null && h.detail().contains("waiting for child execution")
                        ? h.detail() + (latest ? "; looking again at " + HumanTime.instant(view.runAt()) : "")
                                + " (the worker slot is free meanwhile)"
                        : "waiting" + (latest ? " until " + HumanTime.instant(view.runAt()) : "")
                                + " (durable delay; the worker slot is free meanwhile)";
            case "awaiting_signal" -> "parked" + detail + "; the worker slot is free meanwhile";
            case "signal_received" -> "woken" + detail;
            case "released" -> "handed back to the queue by " + h.workerId() + detail;
            case "rescued" -> "rescued after its worker stopped heartbeating" + detail;
            case "quarantined" -> "quarantined after worker crashes" + detail;
            case "cancel_requested" -> {
                cancelReason = h.detail();
                yield "cancel requested" + by(h) + detail;
            }
            // A running execution is ended by its worker, whose note is generic: the reason is
            // the request's.
            case "cancelled" ->
                "cancelled" + (cancelReason == null || cancelReason.isBlank() ? detail : ": " + cancelReason);
            case "retried" -> {
                cancelReason = null;
                yield "queued again" + (h.workerId() == null ? " by an operator" : by(h));
            }
            case "succeeded" -> "succeeded" + took();
            case "failed" -> "failed" + detail;
            default -> h.event() + detail;
        };
    }

    private static String by(HistoryEntry h) {
        return h.workerId() == null ? "" : " by " + h.workerId();
    }

    private String describe(NodeLine n, NodeResult r) {
        String took = r.startedAt() == null || r.finishedAt() == null
                ? ""
                : " in " + HumanTime.duration(Duration.between(r.startedAt(), r.finishedAt()));
        return switch (r.status()) {
            case SUCCEEDED -> "node " + n.nodeId() + " (" + n.action() + ") succeeded" + took + tries(r);
            case SKIPPED -> "node " + n.nodeId() + " (" + n.action() + ") skipped";
            case FAILED -> "node " + n.nodeId() + " (" + n.action() + ") failed" + took + ": " + r.error() + tries(r);
        };
    }

    /** What the failed tries add to a node's line: {@code on try 2 (try 1 failed: HTTP 503)}. */
    private String tries(NodeResult r) {
        List<NodeTry> mine =
                r.tries().stream().filter(t -> t.attempt() == r.attempt()).toList();
        boolean succeeded = r.status() == NodeStatus.SUCCEEDED;
        if (mine.isEmpty() || !succeeded && mine.size() == 1) {
            return "";
        }
        String on = succeeded ? " on try " + r.lastTry() : "";
        if (triesHeard) {
            return on;
        }
        // A failed node's message already carries its last error; list the ones before it.
        List<NodeTry> earlier = succeeded ? mine : mine.subList(0, mine.size() - 1);
        StringBuilder b = new StringBuilder(on).append(succeeded ? " (" : " (earlier: ");
        for (int i = 0; i < earlier.size(); i++) {
            NodeTry t = earlier.get(i);
            b.append(i == 0 ? "" : "; ")
                    .append("try ")
                    .append(t.tryNumber())
                    .append(succeeded ? " failed: " : ": ")
                    .append(t.error());
        }
        return b.append(')').toString();
    }

    private String took() {
        return view.startedAt() == null || view.finishedAt() == null
                ? ""
                : " in " + HumanTime.duration(Duration.between(view.startedAt(), view.finishedAt()));
    }

    /** Where the execution stands: {@code running, attempt 1 of 4, 2 of 5 nodes done}. */
    String status() {
        if (view == null) {
            return "submitted";
        }
        long done = nodes.stream().filter(n -> n.result() != null).count();
        String progress = nodes.isEmpty() ? "" : ", " + done + " of " + nodes.size() + " nodes done";
        return switch (view.state()) {
            case AVAILABLE ->
                HumanTime.never(view.runAt())
                        ? "waiting for a signal" + progress
                        : view.awaitingSignal() && view.runAt().isAfter(view.now())
                                ? "waiting for a signal (times out at " + HumanTime.instant(view.runAt()) + ")"
                                        + progress
                                : view.runAt().isAfter(view.now())
                                        ? "waiting until " + HumanTime.instant(view.runAt()) + progress
                                        : "queued" + progress;
            case RUNNING ->
                "running on " + view.leaseOwner() + ", attempt " + view.attempt() + " of " + view.maxAttempts()
                        + progress;
            default -> view.state().dbName() + progress;
        };
    }

    boolean terminal() {
        return view != null && view.state().isTerminal();
    }
}
