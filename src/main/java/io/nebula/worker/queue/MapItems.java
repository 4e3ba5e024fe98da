package io.nebula.worker.queue;

/**
 * How the items of a map node are stored among node results. Each finished item is a node result
 * of its own, named {@code <node id>[<index>]}, and the start of the map is one more, named {@code
 * <node id>[]}, whose output is {@code {"items": N, "max_parallel": P}}. Node ids cannot contain
 * brackets, so these names never collide with a node's. The map node's own result, under its id,
 * holds the list of item outputs once every item has ended.
 */
public final class MapItems {
    private MapItems() {}

    /**
     * The number of items a map's start record (see {@link #startKey}) holds, or -1 when {@code
     * result} is not one that can be read.
     */
    public static int items(NodeResult result) {
        if (result == null || result.outputJson() == null) {
            return -1;
        }
        try {
            tools.jackson.databind.JsonNode o = io.nebula.worker.json.Json.MAPPER.readTree(result.outputJson());
            return o.path("items").isIntegralNumber() ? o.path("items").asInt() : -1;
        } catch (tools.jackson.core.JacksonException e) {
            return -1;
        }
    }

    /** The stored name of item {@code index} of map node {@code nodeId}. */
    public static String key(String nodeId, int index) {
        return nodeId + "[" + index + "]";
    }

    /** The stored name of the record of a map's start (its number of items). */
    public static String startKey(String nodeId) {
        return nodeId + "[]";
    }

    /** The map node a stored name belongs to, or {@code null} for an ordinary node's name. */
    public static String nodeOf(String key) {
        int open = key.indexOf('[');
        return open > 0 && key.endsWith("]") ? key.substring(0, open) : null;
    }

    /** The item index of a stored name, or -1 for the start record or an ordinary node. */
    public static int indexOf(String key) {
        int open = key.indexOf('[');
        if (open <= 0 || !key.endsWith("]") || open + 1 == key.length() - 1) {
            return -1;
        }
        try {
            return Integer.parseInt(key, open + 1, key.length() - 1, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
