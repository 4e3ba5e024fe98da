package io.nebula.worker.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@code signal} node that parks its execution until the named signal arrives.
 *
 * @param nodeId the waiting node
 * @param name the signal it waits for
 * @param timeout how long to wait from the moment the wait is first registered; {@code null} waits
 *     for ever
 */
public record SignalWait(String nodeId, String name, Duration timeout) {
    /**
     * The due time of an execution parked for signals without a timeout: it runs again only when
     * a signal is delivered.
     */
    public static final java.time.Instant NEVER = java.time.Instant.parse("9999-12-31T00:00:00Z");

    public SignalWait {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(name, "name");
    }
}
