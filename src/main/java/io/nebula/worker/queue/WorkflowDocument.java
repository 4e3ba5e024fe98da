package io.nebula.worker.queue;

/**
 * A workflow definition as stored: its canonical JSON text and the content hash of that text.
 * Executions reference the hash, so editing a file never alters executions already queued.
 */
public record WorkflowDocument(String hash, String name, String definitionJson) {}
