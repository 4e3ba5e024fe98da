package io.nebula.worker.runtime;

import io.nebula.worker.queue.ExecutionState;
import java.time.Instant;

/**
 * What a sub-workflow node asks of the worker: start its child execution (or find the one it
 * started before) and read its state. The worker implements it over the store; the runtime never
 * talks to the store itself.
 */
public interface ChildWorkflows {
    /**
     * A child execution as it stands.
     *
     * @param createdAt when it was submitted, by the database's clock; {@code null} for a child the
     *     attempt has just submitted and not read back (its age is then taken as zero)
     * @param now the database clock when it was read; {@code null} with {@code createdAt}
     */
    record Child(long id, ExecutionState state, String outputJson, String error, Instant createdAt, Instant now) {}

    /**
     * Submits an execution of the stored workflow {@code workflowHash} with {@code inputJson}
     * under idempotency key {@code key}, on {@code queue} ({@code null}: the parent's queue), unless
     * one with that key exists; either way returns it.
     *
     * @throws InputRefused when the child's workflow refuses the input (its input schema)
     * @throws IllegalStateException when no workflow is stored under that hash
     * @throws RuntimeException when the store cannot be reached (the node then fails retryably)
     */
    Child start(String workflowHash, String inputJson, String key, String queue);

    /**
     * The child started under idempotency key {@code key}, or {@code null} when there is none;
     * starts nothing. The default finds none.
     *
     * @throws RuntimeException when the store cannot be reached
     */
    default Child find(String key) {
        return null;
    }

    /** The most keys {@link #findAll} takes at once: as many as the store reads in one statement. */
    int MAX_KEYS = io.nebula.worker.queue.InspectionStore.MAX_KEYS;

    /**
     * The children started under these idempotency keys, by key, in one read where the worker can
     * (at most {@value #MAX_KEYS} keys); keys without a child are absent. Starts nothing. The
     * default asks {@link #find} for each.
     *
     * @throws RuntimeException when the store cannot be reached
     */
    default java.util.Map<String, Child> findAll(java.util.Collection<String> keys) {
        java.util.Map<String, Child> out = new java.util.HashMap<>();
        for (String key : keys) {
            Child c = find(key);
            if (c != null) {
                out.put(key, c);
            }
        }
        return out;
    }

    /**
     * As {@link #start}, for a key that a read just found no child under: the worker may skip
     * looking for one first. Still returns the child another attempt started under the key
     * meanwhile, if one did. The default is {@link #start}.
     */
    default Child startNew(String workflowHash, String inputJson, String key, String queue) {
        return start(workflowHash, inputJson, key, queue);
    }

    /**
     * Queues child {@code childId} again (and its own children cancelled with it) when it was
     * cancelled only because parent {@code parentId} ended, failed or cancelled, before the parent
     * was retried: the parent runs again, so the cancel no longer stands. True when it was queued
     * again; false when it was cancelled for another reason (an operator's cancel of the child),
     * which fails the parent's node as before. The default queues nothing.
     *
     * @throws RuntimeException when the store cannot be reached
     */
    default boolean resumeCancelledWithParent(long childId, long parentId) {
        return false;
    }

    /** The child's workflow refuses the input it would be started with: the same input is refused again. */
    final class InputRefused extends RuntimeException {
        public InputRefused(String message) {
            super(message);
        }
    }

    /** No children can be started: attempts without a store. */
    ChildWorkflows NONE = (hash, input, key, queue) -> {
        throw new IllegalStateException("sub-workflows need a worker with a store");
    };
}
