package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.StopReason;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the runtime is told about an attempt's lease, before it starts each node. */
class LeasedAttemptTest {
    static final ClaimedExecution CLAIMED =
            new ClaimedExecution(7, "default", "hash", "wf", "{}", 1, 3, 4, false, false, java.time.Duration.ZERO);

    @Test
    void anAttemptWithinItsLeaseMayGoOn() {
        ManualPoolClock clock = new ManualPoolClock();
        Running r =
                new Running(CLAIMED, clock.nanoTime() + Duration.ofMinutes(1).toNanos(), clock.nanoTime());
        LeasedAttempt attempt = new LeasedAttempt(r, Map.of(), null, null, null, clock);

        clock.advance(Duration.ofMinutes(1).minusNanos(1));

        assertThat(attempt.stopRequested()).isNull();
    }

    @Test
    void anAttemptWhoseLocalLeaseDeadlinePassedIsStoppedBeforeTheHeartbeaterLooks() {
        // A process frozen past its lease (SIGSTOP, a long pause, a suspended VM) resumes all its
        // threads at once: the runtime may ask before the heartbeater has noticed, and must not
        // start another node with a lease another worker may hold by now.
        ManualPoolClock clock = new ManualPoolClock();
        Running r =
                new Running(CLAIMED, clock.nanoTime() + Duration.ofMinutes(1).toNanos(), clock.nanoTime());
        LeasedAttempt attempt = new LeasedAttempt(r, Map.of(), null, null, null, clock);

        clock.advance(Duration.ofMinutes(1));

        assertThat(attempt.stopRequested()).isEqualTo(StopReason.LEASE_LOST);
        assertThat(r.stopReason()).isEqualTo(StopReason.LEASE_LOST);
    }
}
