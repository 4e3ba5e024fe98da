package io.nebula.worker.queue;

import java.time.Instant;

/**
 * What the store knows about one signal of one execution: its delivery, its wait, or both.
 *
 * @param dataJson the delivered data as JSON text; {@code null} until delivered
 * @param receivedAt when it was delivered, or {@code null}
 * @param nodeId the node that waits (or waited) for it, or {@code null}
 * @param waitingSince when a node first parked the execution waiting for it, or {@code null}
 * @param timeoutAt when that wait times out, or {@code null} for no timeout
 * @param now the database clock when it was read
 */
public record SignalView(
        String name,
        String dataJson,
        Instant receivedAt,
        String nodeId,
        Instant waitingSince,
        Instant timeoutAt,
        Instant now) {

    public boolean received() {
        return receivedAt != null;
    }

    /** Delivered, and not after its wait timed out. */
    public boolean receivedInTime() {
        return receivedAt != null && (timeoutAt == null || !receivedAt.isAfter(timeoutAt));
    }

    /** The wait's timeout has passed (by the database clock) without a delivery in time. */
    public boolean timedOut() {
        return timeoutAt != null && !now.isBefore(timeoutAt) && !receivedInTime();
    }
}
