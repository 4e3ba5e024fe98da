package io.nebula.worker.workflow;

import io.nebula.worker.queue.WorkflowDocument;

/**
 * A definition read from a file or text and found valid: what submit needs to store it and to
 * enqueue executions of it.
 *
 * @param canonicalJson the definition's canonical text (sorted keys, no whitespace): store this
 * @param hash SHA-256 hex of {@code canonicalJson}; executions reference it
 * @param workflow the compiled form, for input validation and running
 */
public record LoadedWorkflow(String canonicalJson, String hash, CompiledWorkflow workflow) {

    public String name() {
        return workflow.name();
    }

    /** {@code max_retries} from the definition, or {@code null} to use the queue's default. */
    public Integer maxRetries() {
        return workflow.maxRetries();
    }

    /** The record the store keeps. */
    public WorkflowDocument document() {
        return new WorkflowDocument(hash, workflow.name(), canonicalJson);
    }
}
