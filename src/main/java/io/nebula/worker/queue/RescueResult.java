package io.nebula.worker.queue;

/**
 * What one rescue pass did with expired leases.
 *
 * @param requeued returned to available for another attempt
 * @param failed failed because their attempts were used up
 * @param quarantined failed as poisoned: their holders died too often
 * @param cancelled cancelled because a cancel had been requested
 */
public record RescueResult(int requeued, int failed, int quarantined, int cancelled) {
    public int total() {
        return requeued + failed + quarantined + cancelled;
    }
}
