package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.Completion;
import io.nebula.worker.queue.LeaseRef;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.SignalWait;
import io.nebula.worker.queue.StopReason;
import java.util.List;
import java.util.Map;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * The writes of many leases as one JSON document, the single parameter of every statement that
 * checkpoints or ends attempts: {@code [{"id", "epoch", ..., "nodes": [{"node_id", "status",
 * "output", "error", "attempt", "started_ms", "finished_ms", "tries"}]}]}, where {@code ...} are the fields
 * of the kind of write (a success's {@code output}, a failure's {@code error}, {@code retryable}
 * and {@code delay_ms}, a release's {@code reason}, {@code delay_ms} and, for a wait for children
 * only, {@code children}, a signal wait's {@code reason} and {@code waits} ({@code name}, {@code
 * node_id}, {@code timeout_ms}), a cancel's {@code reason}; a shutdown is a release; a
 * checkpoint's {@code level}, see {@link #level}). The nodes
 * array is also what {@code executions.nodes} and {@code node_levels.nodes} keep. Outputs are already JSON
 * text (written by the runtime) and are embedded as they are, neither re-parsed nor escaped, so a
 * batch costs one pass over its text; only string fields are escaped. The statements read the
 * document with {@code json_to_recordset} (PostgreSQL) or {@code json_each} (SQLite). A node's
 * {@code tries} (its failed tries, in the form of {@link TriesColumn}) is present only when it has
 * some; {@code node_tries} writes them to checkpoint rows, a success keeps them in {@code
 * executions.nodes} with the rest.
 */
final class BatchJson {
    private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();
    /** The kind of a wait for child executions only, which a child's end may cut short. */
    private static final String CHILDREN = "sub_workflow";

    private BatchJson() {}

    /** Checkpoints, one entry per lease with its node results. */
    static String checkpoints(Map<LeaseRef, List<NodeResult>> byLease) {
        StringBuilder b = new StringBuilder(140 * byLease.size() + 2).append('[');
        boolean first = true;
        for (Map.Entry<LeaseRef, List<NodeResult>> e : byLease.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            lease(b, e.getKey());
            if (level(e.getValue())) {
                b.append(",\"level\":true");
            }
            nodes(b, e.getValue());
        }
        return b.append(']').toString();
    }

    /**
     * Whether a checkpoint's results are all final and alone: every node succeeded, none with
     * failed tries. Such a checkpoint is marked {@code "level": true}; PostgreSQL keeps it as one
     * {@code node_levels} row when the execution was never resumed (SQLite ignores the mark).
     */
    static boolean level(List<NodeResult> results) {
        for (NodeResult r : results) {
            if (r.status() != NodeStatus.SUCCEEDED || !r.tries().isEmpty()) {
                return false;
            }
        }
        return !results.isEmpty();
    }

    /** Completions of one kind, each with the fields its statement reads. */
    static String completions(List<Completion> completions) {
        StringBuilder b = new StringBuilder(160 * completions.size() + 2).append('[');
        for (int i = 0; i < completions.size(); i++) {
            Completion c = completions.get(i);
            if (i > 0) {
                b.append(',');
            }
            lease(b, c.lease());
            switch (c.outcome()) {
                case RunOutcome.Succeeded s -> raw(b.append(",\"output\":"), s.outputJson());
                case RunOutcome.Failed f -> {
                    string(b.append(",\"error\":"), f.error());
                    b.append(",\"retryable\":").append(f.retryable());
                    b.append(",\"delay_ms\":").append(c.retryDelay().toMillis());
                }
                case RunOutcome.Waiting w -> {
                    string(b.append(",\"reason\":"), c.reason());
                    b.append(",\"delay_ms\":").append(w.delay().toMillis());
                    if (CHILDREN.equals(w.kind())) {
                        b.append(",\"children\":true");
                    }
                }
                case RunOutcome.AwaitingSignal a -> {
                    string(b.append(",\"reason\":"), c.reason());
                    b.append(",\"waits\":[");
                    for (int w = 0; w < a.waits().size(); w++) {
                        SignalWait wait = a.waits().get(w);
                        if (w > 0) {
                            b.append(',');
                        }
                        string(b.append("{\"name\":"), wait.name());
                        string(b.append(",\"node_id\":"), wait.nodeId());
                        b.append(",\"timeout_ms\":")
                                .append(
                                        wait.timeout() == null
                                                ? "null"
                                                : Long.toString(wait.timeout().toMillis()))
                                .append('}');
                    }
                    b.append(']');
                }
                case RunOutcome.Stopped x -> {
                    string(b.append(",\"reason\":"), c.reason());
                    if (x.reason() != StopReason.CANCELLED) {
                        // A shutdown is a release without delay.
                        b.append(",\"delay_ms\":0");
                    }
                }
            }
            nodes(b, c.nodes());
        }
        return b.append(']').toString();
    }

    /**
     * Executions just parked for signals that must be due again sooner than their waits say, each
     * as {@code {id, epoch, due_ms}} (see {@link RunOutcome.AwaitingSignal#dueAtMost()}).
     */
    static String dueCaps(List<Completion> completions) {
        StringBuilder b = new StringBuilder(48 * completions.size() + 2).append('[');
        for (Completion c : completions) {
            if (b.length() > 1) {
                b.append(',');
            }
            lease(b, c.lease());
            b.append(",\"due_ms\":")
                    .append(((RunOutcome.AwaitingSignal) c.outcome())
                            .dueAtMost()
                            .toMillis())
                    .append('}');
        }
        return b.append(']').toString();
    }

    /** Whether any node of these results has failed tries, which {@code node_tries} must write. */
    static boolean hasTries(List<NodeResult> results) {
        for (NodeResult r : results) {
            if (!r.tries().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static void lease(StringBuilder b, LeaseRef lease) {
        b.append("{\"id\":").append(lease.executionId());
        b.append(",\"epoch\":").append(lease.leaseEpoch());
    }

    /** Appends the nodes field and closes the entry. */
    private static void nodes(StringBuilder b, List<NodeResult> results) {
        b.append(",\"nodes\":[");
        for (int i = 0; i < results.size(); i++) {
            NodeResult r = results.get(i);
            if (i > 0) {
                b.append(',');
            }
            string(b.append("{\"node_id\":"), r.nodeId());
            b.append(",\"status\":\"").append(r.status().dbName()).append('"');
            raw(b.append(",\"output\":"), r.outputJson());
            if (r.error() != null) {
                string(b.append(",\"error\":"), r.error());
            }
            b.append(",\"attempt\":").append(r.attempt());
            if (r.startedAt() != null) {
                b.append(",\"started_ms\":").append(r.startedAt().toEpochMilli());
            }
            if (r.finishedAt() != null) {
                b.append(",\"finished_ms\":").append(r.finishedAt().toEpochMilli());
            }
            if (!r.tries().isEmpty()) {
                b.append(",\"tries\":").append(TriesColumn.write(r.tries()));
            }
            b.append('}');
        }
        b.append("]}");
    }

    private static void raw(StringBuilder b, String json) {
        b.append(json == null || json.isBlank() ? "null" : json);
    }

    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        STRINGS.quoteAsString(s, b);
        b.append('"');
    }
}
