package io.nebula.worker.workflow;

/**
 * A stored definition named by its content hash, whose text is read only when it is needed: when
 * this process holds no compiled definition under {@link #workflowHash()}. {@link Workflows}
 * reads it at most once per miss, however many callers miss on the same hash together.
 */
public interface StoredDefinition {
    /** The content hash the definition is stored under. */
    String workflowHash();

    /**
     * The stored canonical text. Called only on a cache miss; it may read a store, and what it
     * throws reaches every caller waiting for the same hash.
     */
    String definitionJson();
}
