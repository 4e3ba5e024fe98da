package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.NodeResult;
import java.io.StringWriter;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The last node results of a successful attempt as one JSON array, the form {@code
 * executions.nodes} keeps them in: {@code [{"node_id", "status", "output", "error", "attempt",
 * "started_ms", "finished_ms"}]}. A node's output is already JSON text and is embedded as it is,
 * not re-parsed; the statements read the array with {@code json_to_recordset} (PostgreSQL) or
 * {@code json_each} (SQLite).
 */
final class NodeResultsJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private NodeResultsJson() {}

    static String write(List<NodeResult> results) {
        StringWriter out = new StringWriter(64 + 96 * results.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (NodeResult r : results) {
                g.writeStartObject();
                g.writeStringProperty("node_id", r.nodeId());
                g.writeStringProperty("status", r.status().dbName());
                g.writeName("output");
                if (r.outputJson() == null) {
                    g.writeNull();
                } else {
                    g.writeRawValue(r.outputJson());
                }
                g.writeStringProperty("error", r.error());
                g.writeNumberProperty("attempt", r.attempt());
                if (r.startedAt() != null) {
                    g.writeNumberProperty("started_ms", r.startedAt().toEpochMilli());
                }
                if (r.finishedAt() != null) {
                    g.writeNumberProperty("finished_ms", r.finishedAt().toEpochMilli());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        return out.toString();
    }
}
