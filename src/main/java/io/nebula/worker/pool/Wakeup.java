package io.nebula.worker.pool;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A coalescing wake-up signal for the claim loop: any number of signals while it works collapse
 * into one wake-up, so a burst of NOTIFYs costs one claim.
 */
final class Wakeup {
    private final Semaphore permit = new Semaphore(0);

    void signal() {
        if (permit.availablePermits() == 0) {
            permit.release();
        }
    }

    /** Waits for a signal or the timeout; returns whether a signal arrived. */
    boolean await(Duration timeout) throws InterruptedException {
        boolean got = permit.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
        permit.drainPermits();
        return got;
    }
}
