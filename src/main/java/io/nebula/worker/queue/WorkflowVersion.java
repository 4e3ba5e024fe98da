package io.nebula.worker.queue;

import java.time.Instant;

/**
 * One stored version of a workflow: a definition under its name and content hash.
 *
 * @param createdAt when this definition was first stored (by a submit or a deploy)
 * @param deployedAt when {@code workflows deploy} last made it the latest version of its name, or
 *     {@code null} for a version only ever submitted as a file
 * @param versions how many versions of the name are stored, where the store counted them
 *     ({@link ExecutionStore#workflowNames()}); 0 otherwise
 */
public record WorkflowVersion(String name, String hash, Instant createdAt, Instant deployedAt, int versions) {
    /** Whether this version was ever deployed. */
    public boolean deployed() {
        return deployedAt != null;
    }
}
