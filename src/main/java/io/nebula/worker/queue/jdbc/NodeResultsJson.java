package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.Completion;
import io.nebula.worker.queue.NodeResult;
import java.util.List;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Successful completions as one JSON document, the single parameter of {@code execution_succeed}:
 * {@code [{"id", "epoch", "output", "nodes": [{"node_id", "status", "output", "error", "attempt",
 * "started_ms", "finished_ms"}]}]}. The nodes array is what {@code executions.nodes} keeps. Outputs
 * are already JSON text (written by the runtime) and are embedded as they are, neither re-parsed
 * nor escaped, so a batch costs one pass over its text; only the few string fields are escaped.
 * The statements read the document with {@code json_to_recordset} (PostgreSQL) or {@code
 * json_each} (SQLite).
 */
final class NodeResultsJson {
    private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();

    private NodeResultsJson() {}

    static String batch(List<Completion.Succeed> completions) {
        StringBuilder b = new StringBuilder(160 * completions.size() + 2);
        b.append('[');
        for (int i = 0; i < completions.size(); i++) {
            Completion.Succeed c = completions.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"id\":").append(c.lease().executionId());
            b.append(",\"epoch\":").append(c.lease().leaseEpoch());
            b.append(",\"output\":");
            raw(b, c.outputJson());
            b.append(",\"nodes\":");
            nodes(b, c.nodes());
            b.append('}');
        }
        return b.append(']').toString();
    }

    private static void nodes(StringBuilder b, List<NodeResult> results) {
        b.append('[');
        for (int i = 0; i < results.size(); i++) {
            NodeResult r = results.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"node_id\":");
            string(b, r.nodeId());
            b.append(",\"status\":\"").append(r.status().dbName()).append('"');
            b.append(",\"output\":");
            raw(b, r.outputJson());
            if (r.error() != null) {
                b.append(",\"error\":");
                string(b, r.error());
            }
            b.append(",\"attempt\":").append(r.attempt());
            if (r.startedAt() != null) {
                b.append(",\"started_ms\":").append(r.startedAt().toEpochMilli());
            }
            if (r.finishedAt() != null) {
                b.append(",\"finished_ms\":").append(r.finishedAt().toEpochMilli());
            }
            b.append('}');
        }
        b.append(']');
    }

    private static void raw(StringBuilder b, String json) {
        b.append(json == null || json.isBlank() ? "null" : json);
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        STRINGS.quoteAsString(s, b);
        b.append('"');
    }
}
