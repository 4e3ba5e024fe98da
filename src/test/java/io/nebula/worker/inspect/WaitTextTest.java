package io.nebula.worker.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.SignalWait;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WaitTextTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    @Test
    void saysWhatAnAvailableExecutionWaitsFor() {
        assertThat(WaitText.of(NOW.minusSeconds(15), false, NOW, false)).isEqualTo("due 15s ago, waiting for a worker");
        assertThat(WaitText.of(NOW.plus(Duration.ofMinutes(90)), false, NOW, false))
                .isEqualTo("due in 1h 30m");
        assertThat(WaitText.of(SignalWait.NEVER, true, NOW, false)).isEqualTo("waiting for a signal");
        assertThat(WaitText.of(NOW.plusSeconds(30), true, NOW, false))
                .isEqualTo("waiting for a signal (times out in 30s)");
    }

    @Test
    void aPausedQueueHoldsItBackWhateverItWaitsFor() {
        assertThat(WaitText.of(NOW.minusSeconds(15), false, NOW, true)).isEqualTo("due 15s ago; its queue is paused");
        assertThat(WaitText.of(NOW.plusSeconds(30), false, NOW, true)).isEqualTo("due in 30s; its queue is paused");
        assertThat(WaitText.of(SignalWait.NEVER, true, NOW, true))
                .isEqualTo("waiting for a signal; its queue is paused");
    }
}
