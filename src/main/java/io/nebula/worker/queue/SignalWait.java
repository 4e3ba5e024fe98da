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
    public SignalWait {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(name, "name");
    }
}
