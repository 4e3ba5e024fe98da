package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.ClaimedExecution;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InFlightTest {
    private static Running attempt(long id, long leaseEpoch, long deadlineNanos) {
        return new Running(
                new ClaimedExecution(id, "default", "hash", "wf", "{}", 1, 3, leaseEpoch, false, false, Duration.ZERO),
                deadlineNanos,
                0);
    }

    @Test
    void theEndOfALostAttemptLeavesTheNextAttemptOfTheSameExecutionInFlight() {
        InFlight inFlight = new InFlight();
        Running lost = attempt(7, 1, 100);
        Running next = attempt(7, 2, 900);
        inFlight.add(lost);
        // The execution was rescued and claimed here again while the lost attempt winds down.
        inFlight.add(next);

        inFlight.remove(lost);

        assertThat(inFlight.get(7)).isSameAs(next);
        assertThat(inFlight.leases()).containsExactly(next.lease());
        assertThat(inFlight.mayStillHoldLease(7, 500)).isTrue();

        inFlight.remove(next);

        assertThat(inFlight.isEmpty()).isTrue();
    }
}
