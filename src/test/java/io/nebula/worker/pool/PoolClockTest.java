package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The system clock moves on by the time a suspend hid from the monotonic clock, and only by that. */
class PoolClockTest {
    private final AtomicLong monotonic = new AtomicLong(Duration.ofHours(3).toNanos());
    private final AtomicLong wall = new AtomicLong(1_800_000_000_000L);
    private final PoolClock.SuspendAware clock = new PoolClock.SuspendAware(monotonic::get, wall::get);

    private void pass(Duration onMonotonic, Duration onWall) {
        monotonic.addAndGet(onMonotonic.toNanos());
        wall.addAndGet(onWall.toMillis());
    }

    @Test
    void timeTheMonotonicClockMissedIsAddedToEveryLaterReading() {
        pass(Duration.ofSeconds(1), Duration.ofSeconds(1));
        clock.catchUp();
        assertThat(clock.nanoTime()).isEqualTo(monotonic.get());

        pass(Duration.ofMillis(300), Duration.ofMinutes(10));
        assertThat(clock.nanoTime()).as("not before the catch-up").isEqualTo(monotonic.get());
        clock.catchUp();
        long missed = Duration.ofMinutes(10).minusMillis(300).toNanos();
        assertThat(clock.nanoTime()).isEqualTo(monotonic.get() + missed);
        assertThat(clock.runningNanos()).as("liveness: time the process ran").isEqualTo(monotonic.get());

        pass(Duration.ofSeconds(1), Duration.ofSeconds(1));
        clock.catchUp();
        assertThat(clock.nanoTime()).as("counted once").isEqualTo(monotonic.get() + missed);
    }

    @Test
    void aSlewedOrSteppedBackWallClockChangesNothing() {
        pass(Duration.ofSeconds(1), Duration.ofMillis(1_000 + JUMP_MILLIS - 1));
        clock.catchUp();
        assertThat(clock.nanoTime()).as("a lead within the jump").isEqualTo(monotonic.get());

        pass(Duration.ofSeconds(1), Duration.ofSeconds(-30));
        clock.catchUp();
        assertThat(clock.nanoTime()).as("a step back").isEqualTo(monotonic.get());

        pass(Duration.ofSeconds(1), Duration.ofSeconds(1));
        clock.catchUp();
        assertThat(clock.nanoTime()).as("after the step back").isEqualTo(monotonic.get());
    }

    private static final long JUMP_MILLIS = PoolClock.SuspendAware.JUMP.toMillis();
}
