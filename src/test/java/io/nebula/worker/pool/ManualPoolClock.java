package io.nebula.worker.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link PoolClock} that moves only when told: {@link #advance} moves it, and a {@link #sleep}
 * returns at once after moving it by the pause (and running the test's hook, which may change the
 * world the retry will see).
 */
final class ManualPoolClock implements PoolClock {
    private final AtomicLong nanos = new AtomicLong(Duration.ofHours(1).toNanos());
    private final List<Duration> sleeps = new ArrayList<>();
    private volatile Runnable onSleep = () -> {};

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public void sleep(Duration d) {
        synchronized (sleeps) {
            sleeps.add(d);
        }
        nanos.addAndGet(d.toNanos());
        onSleep.run();
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    /** Runs {@code hook} after each sleep has moved the clock. */
    void onSleep(Runnable hook) {
        this.onSleep = hook;
    }

    /** The pauses asked for so far, in order. */
    List<Duration> sleeps() {
        synchronized (sleeps) {
            return List.copyOf(sleeps);
        }
    }
}
