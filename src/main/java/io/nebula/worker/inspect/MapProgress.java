package io.nebula.worker.inspect;

import io.nebula.worker.json.Json;
import io.nebula.worker.queue.MapItems;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How far a map node got, from its stored item results (see {@link MapItems}): how many items it
 * has, how many are recorded as done and as failed. Which items are running is not stored; while
 * the execution runs and the node has not ended, {@link #running} assumes {@code max_parallel} of
 * the remaining ones are, which is what the worker does unless the failure policy stopped it.
 *
 * @param total the node's number of items, as recorded when it started
 * @param maxParallel its {@code max_parallel}
 * @param done items recorded as succeeded
 * @param failed items recorded as failed (a later attempt runs them again)
 */
public record MapProgress(String nodeId, int total, int maxParallel, int done, int failed) {
    private static final JsonMapper JSON = Json.MAPPER;

    /** Items running now (estimated, see above); 0 unless {@code active}. */
    public int running(boolean active) {
        return active ? Math.max(0, Math.min(maxParallel, total - done - failed)) : 0;
    }

    /** Items not yet started (or, once the execution stopped, not run). */
    public int pending(boolean active) {
        return Math.max(0, total - done - failed - running(active));
    }

    /** "412 of 1000 items done, 3 failed, 4 running, 581 pending". */
    public String summary(boolean active) {
        StringBuilder b = new StringBuilder()
                .append(done)
                .append(" of ")
                .append(total)
                .append(total == 1 ? " item done" : " items done");
        if (failed > 0) {
            b.append(", ").append(failed).append(" failed");
        }
        int running = running(active);
        if (running > 0) {
            b.append(", ").append(running).append(" running");
        }
        int pending = pending(active);
        if (pending > 0) {
            b.append(", ").append(pending).append(" pending");
        }
        return b.toString();
    }

    /** The progress of every map node that started, by node id, from an execution's node results. */
    public static Map<String, MapProgress> of(List<NodeResult> results) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, int[]> starts = new LinkedHashMap<>();
        for (NodeResult r : results) {
            String node = MapItems.nodeOf(r.nodeId());
            if (node == null) {
                continue;
            }
            if (MapItems.indexOf(r.nodeId()) < 0) {
                starts.put(node, start(r.outputJson()));
            } else {
                int[] c = counts.computeIfAbsent(node, k -> new int[2]);
                c[r.status() == NodeStatus.SUCCEEDED ? 0 : 1]++;
            }
        }
        Map<String, MapProgress> out = new LinkedHashMap<>();
        starts.forEach((node, s) -> {
            int[] c = counts.getOrDefault(node, new int[2]);
            out.put(node, new MapProgress(node, s[0], s[1], c[0], c[1]));
        });
        return out;
    }

    /** The item count and max_parallel of a start record; zeros when unreadable. */
    private static int[] start(String json) {
        if (json == null) {
            return new int[2];
        }
        try {
            JsonNode n = JSON.readTree(json);
            return new int[] {n.path("items").asInt(0), n.path("max_parallel").asInt(0)};
        } catch (JacksonException e) {
            return new int[2];
        }
    }

    /** Whether a stored result is a map's start or item rather than a node's own result. */
    public static boolean isItemRow(NodeResult r) {
        return MapItems.nodeOf(r.nodeId()) != null;
    }
}
