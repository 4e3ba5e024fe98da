package io.nebula.worker.inspect;

import io.nebula.worker.json.Json;
import io.nebula.worker.queue.NodeResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One node of an execution as an operator sees it: its id and action from the stored definition,
 * and its recorded result, or none yet ({@code pending}). Built from the canonical definition text
 * so that nodes which have not run are listed too, in definition order.
 *
 * @param result the checkpoint, or {@code null} while the node has not finished
 * @param map for a map node that started, its items' progress; otherwise {@code null}
 */
public record NodeLine(String nodeId, String action, NodeResult result, MapProgress map) {
    private static final JsonMapper JSON = Json.MAPPER;

    /** {@code pending}, or the recorded status ({@code succeeded}, {@code failed}, {@code skipped}). */
    public String status() {
        return result == null ? "pending" : result.status().dbName();
    }

    /**
     * The definition's nodes in order, each with its result; the results of map items are counted
     * into their node's {@link MapProgress}, not listed; results for nodes the definition does not
     * name (it cannot happen, but a hand-edited database could) come last.
     *
     * @param definitionJson the stored canonical definition, or {@code null} when it is missing
     */
    public static List<NodeLine> of(String definitionJson, List<NodeResult> results) {
        Map<String, NodeResult> byId = new LinkedHashMap<>();
        results.stream().filter(r -> !MapProgress.isItemRow(r)).forEach(r -> byId.put(r.nodeId(), r));
        Map<String, MapProgress> maps = MapProgress.of(results);
        List<NodeLine> out = new ArrayList<>();
        for (JsonNode n : nodes(definitionJson)) {
            String id = n.path("id").asString();
            String action = n.has("workflow") ? "workflow" : n.path("action").asString();
            out.add(new NodeLine(id, action, byId.remove(id), maps.get(id)));
        }
        byId.values().forEach(r -> out.add(new NodeLine(r.nodeId(), "?", r, null)));
        return out;
    }

    private static Iterable<JsonNode> nodes(String definitionJson) {
        if (definitionJson == null) {
            return List.of();
        }
        try {
            JsonNode nodes = JSON.readTree(definitionJson).path("nodes");
            return nodes.isArray() ? nodes : List.of();
        } catch (JacksonException e) {
            return List.of();
        }
    }
}
