package io.nebula.worker.queue;

import java.util.List;

/**
 * What one rescue pass did with expired leases.
 *
 * @param requeued returned to available for another attempt
 * @param failed failed because their attempts were used up
 * @param quarantined failed as poisoned: their holders died too often
 * @param cancelled cancelled because a cancel had been requested
 * @param ended the ids of the executions it failed, quarantined or cancelled
 */
public record RescueResult(int requeued, int failed, int quarantined, int cancelled, List<Long> ended) {
    public RescueResult {
        ended = List.copyOf(ended);
    }

    public RescueResult(int requeued, int failed, int quarantined, int cancelled) {
        this(requeued, failed, quarantined, cancelled, List.of());
    }

    public int total() {
        return requeued + failed + quarantined + cancelled;
    }
}
