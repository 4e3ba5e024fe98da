package io.nebula.worker.queue.jdbc;

import io.nebula.worker.json.Json;
import io.nebula.worker.queue.NodeTry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code node_results.tries} column: a node's failed tries as a JSON array of {@code {attempt,
 * try, started_at, finished_at, error}} objects (times ISO-8601), or SQL {@code NULL} when there
 * are none, so a node that succeeds at once writes nothing more than before. The SQL that replaces
 * a failed row appends the new tries to the old ones, so the column accumulates across attempts.
 */
final class TriesColumn {
    private static final JsonMapper JSON = Json.MAPPER;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TriesColumn() {}

    /** The column value for {@code tries}: {@code null} when empty. */
    static String write(List<NodeTry> tries) {
        if (tries.isEmpty()) {
            return null;
        }
        ArrayNode a = F.arrayNode(tries.size());
        for (NodeTry t : tries) {
            ObjectNode o = a.addObject();
            o.put("attempt", t.attempt());
            o.put("try", t.tryNumber());
            o.put("started_at", t.startedAt() == null ? null : t.startedAt().toString());
            o.put("finished_at", t.finishedAt() == null ? null : t.finishedAt().toString());
            o.put("error", t.error());
        }
        return a.toString();
    }

    /**
     * The tries a column holds; an unreadable value (a hand-edited row) becomes one try saying so
     * rather than failing the read of a whole execution.
     */
    static List<NodeTry> read(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            JsonNode a = JSON.readTree(json);
            List<NodeTry> out = new ArrayList<>(a.size());
            for (JsonNode o : a) {
                out.add(new NodeTry(
                        o.path("attempt").asInt(),
                        o.path("try").asInt(),
                        instant(o.get("started_at")),
                        instant(o.get("finished_at")),
                        o.path("error").asString("")));
            }
            return out;
        } catch (RuntimeException e) { // JacksonException, or a time that does not parse
            return List.of(new NodeTry(0, 0, null, null, "unreadable tries column: " + e.getMessage()));
        }
    }

    private static Instant instant(JsonNode n) {
        return n == null || n.isNull() ? null : Instant.parse(n.asString());
    }
}
