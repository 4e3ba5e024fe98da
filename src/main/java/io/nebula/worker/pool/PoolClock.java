package io.nebula.worker.pool;

import java.time.Duration;

/**
 * The pool's one time source: a monotonic nanosecond reading (lease deadlines, liveness, durations)
 * and the pauses the pool takes between retries. {@link #SYSTEM} reads {@link System#nanoTime()}
 * and sleeps the thread; tests pass a clock they advance by hand, so lease expiry, backoff and
 * shutdown grace run without waiting.
 */
interface PoolClock {
    /** {@link System#nanoTime()} and {@link Thread#sleep(Duration)}. */
    PoolClock SYSTEM = new PoolClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            Thread.sleep(d);
        }
    };

    /** Nanoseconds from an arbitrary origin; only differences between readings mean anything. */
    long nanoTime();

    /** Pauses the calling thread for {@code d} (a retry's backoff). */
    void sleep(Duration d) throws InterruptedException;
}
