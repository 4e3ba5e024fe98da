package io.nebula.worker.queue;

import java.util.Objects;

/**
 * What makes one store's outgoing idempotency keys its own: a random id made once, when the store
 * was migrated to the schema that has it, and kept in the store.
 *
 * @param id the installation id, a random UUID
 * @param keysFrom the first execution id whose keys carry {@code id}; executions with a smaller id
 *     were submitted before the store had one and keep the keys they had ({@code <execution
 *     id>:<node id>}), so a node retried after an upgrade sends the key it sent before
 */
public record Installation(String id, long keysFrom) {
    public Installation {
        Objects.requireNonNull(id, "id");
    }

    /**
     * What an execution's idempotency keys start with: {@link #id()}, or {@code null} for an
     * execution submitted before the store had an installation id.
     */
    public String keyScope(long executionId) {
        return executionId >= keysFrom ? id : null;
    }
}
