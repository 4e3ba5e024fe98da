package io.nebula.worker.queue;

import java.util.Optional;

/**
 * How a sub-workflow's execution is tied to its parent: it is submitted with the idempotency key
 * {@code child:<parent execution id>:<node id>} (a map item's: {@link #itemKey}), so the parent
 * node finds the same child however often it runs (a retry, a resume on another worker), and the
 * link can be followed both ways without a column of its own.
 */
public final class ChildKeys {
    private static final String PREFIX = "child:";

    private ChildKeys() {}

    /** The idempotency key of the child that node {@code nodeId} of {@code parentId} starts. */
    public static String key(long parentId, String nodeId) {
        return PREFIX + parentId + ":" + nodeId;
    }

    /**
     * The idempotency key of the child that item {@code index} of map node {@code nodeId} of
     * {@code parentId} starts: {@code child:<parent id>:<node id>[<index>]}, and for a child started
     * after a retry of the parent found the one before failed, {@code ...[<index>]#<generation>}
     * (1, 2, ...).
     */
    public static String itemKey(long parentId, String nodeId, int index, int generation) {
        String item = MapItems.key(nodeId, index);
        return key(parentId, generation == 0 ? item : item + "#" + generation);
    }

    /**
     * A map item's stored name without its child's generation: {@code each[3]} for {@code
     * each[3]#2} (and for {@code each[3]}); any other node id as it is.
     */
    public static String itemOf(String nodeId) {
        int hash = nodeId.lastIndexOf('#');
        return hash > 0 && nodeId.charAt(hash - 1) == ']' ? nodeId.substring(0, hash) : nodeId;
    }

    /** The key of the child a map item would get after the one under {@code key} (see {@link #itemKey}). */
    public static String nextGeneration(String key) {
        int hash = key.lastIndexOf('#');
        if (hash > 0 && key.charAt(hash - 1) == ']') {
            try {
                return key.substring(0, hash + 1) + (Integer.parseInt(key, hash + 1, key.length(), 10) + 1);
            } catch (NumberFormatException e) {
                return key + "#1";
            }
        }
        return key + "#1";
    }

    /** The parent execution and node named by a child's idempotency key. */
    public record Parent(long executionId, String nodeId) {}

    /** The parent an idempotency key names, or empty for any other key (or none). */
    public static Optional<Parent> parentOf(String idempotencyKey) {
        if (idempotencyKey == null || !idempotencyKey.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int colon = idempotencyKey.indexOf(':', PREFIX.length());
        if (colon < 0) {
            return Optional.empty();
        }
        try {
            long id = Long.parseLong(idempotencyKey, PREFIX.length(), colon, 10);
            return Optional.of(new Parent(id, idempotencyKey.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
