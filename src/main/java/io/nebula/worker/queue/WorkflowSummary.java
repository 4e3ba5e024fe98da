package io.nebula.worker.queue;

import java.time.Instant;

/** A stored definition, without its text: name, content hash and when it was first stored. */
public record WorkflowSummary(String name, String hash, Instant createdAt) {}
