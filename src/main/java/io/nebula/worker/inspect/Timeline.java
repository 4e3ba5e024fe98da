package io.nebula.worker.inspect;

import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeTry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * An execution's history with its nodes' failed tries in place, as operators read it. The store
 * records transitions (the history table) and failed tries (with each node's result) separately,
 * so a try that succeeded at once costs no history row; this view puts each failed try, as an
 * event {@value #NODE_TRY_FAILED}, inside the attempt it belongs to: after that attempt's claim and
 * before the transition that ended it. Tries carry the worker's clock and transitions the
 * database's, so a try is placed by attempt first and by time only within its attempt.
 */
public final class Timeline {
    /** The event name of a failed try in the merged history. */
    public static final String NODE_TRY_FAILED = "node_try_failed";

    /** Transitions that end an attempt: no try of that attempt comes after them. */
    private static final Set<String> ATTEMPT_ENDS = Set.of(
            "succeeded", "failed", "retry_scheduled", "released", "waiting", "rescued", "quarantined", "cancelled");

    private Timeline() {}

    /** {@code history} with the failed tries of {@code nodes} merged in. */
    public static List<HistoryEntry> of(List<HistoryEntry> history, List<NodeResult> nodes) {
        List<Failed> tries = new ArrayList<>();
        for (NodeResult n : nodes) {
            for (NodeTry t : n.tries()) {
                tries.add(new Failed(n.nodeId(), t));
            }
        }
        if (tries.isEmpty()) {
            return history;
        }
        tries.sort(Comparator.comparing((Failed f) -> f.t().attempt())
                .thenComparing(f -> f.t().finishedAt(), Comparator.nullsLast(Comparator.naturalOrder())));
        List<HistoryEntry> out = new ArrayList<>(history);
        for (Failed f : tries) {
            int claim = claimOf(out, f.t());
            int at = out.size();
            for (int i = claim + 1; i < out.size(); i++) {
                HistoryEntry h = out.get(i);
                boolean laterTry = h.event().equals(NODE_TRY_FAILED);
                if (!laterTry
                        && (ATTEMPT_ENDS.contains(h.event())
                                || f.t().finishedAt() != null
                                        && h.at() != null
                                        && h.at().isAfter(f.t().finishedAt()))) {
                    at = i;
                    break;
                }
            }
            HistoryEntry c = claim >= 0 ? out.get(claim) : null;
            out.add(
                    at,
                    new HistoryEntry(
                            c != null ? c.executionId() : 0,
                            f.t().finishedAt(),
                            NODE_TRY_FAILED,
                            null,
                            null,
                            f.t().attempt(),
                            c != null ? c.leaseEpoch() : 0,
                            c != null ? c.workerId() : null,
                            "node '" + f.nodeId() + "' try " + f.t().tryNumber() + " failed: " + f.t().error()));
        }
        return out;
    }

    /**
     * The index of the claim that started the try's attempt, or -1 when the history has none. An
     * operator's retry counts attempts from 1 again, so of the claims with the try's attempt number
     * the last one before the try ended is taken (with a second's slack for the worker's clock).
     */
    private static int claimOf(List<HistoryEntry> history, NodeTry t) {
        int first = -1;
        int before = -1;
        for (int i = 0; i < history.size(); i++) {
            HistoryEntry h = history.get(i);
            if (h.event().equals("claimed") && h.attempt() == t.attempt()) {
                if (first < 0) {
                    first = i;
                }
                if (t.finishedAt() == null
                        || h.at() == null
                        || !h.at().isAfter(t.finishedAt().plusSeconds(1))) {
                    before = i;
                }
            }
        }
        return before >= 0 ? before : first;
    }

    private record Failed(String nodeId, NodeTry t) {}
}
