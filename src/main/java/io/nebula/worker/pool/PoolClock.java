package io.nebula.worker.pool;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The pool's one time source: a monotonic nanosecond reading (lease deadlines, liveness, durations)
 * and the pauses the pool takes between retries. {@link #SYSTEM} reads {@link System#nanoTime()}
 * and sleeps the thread; tests pass a clock they advance by hand, so lease expiry, backoff and
 * shutdown grace run without waiting.
 */
interface PoolClock {
    /** {@link System#nanoTime()}, moved on by the time a suspend hid from it; {@link Thread#sleep(Duration)}. */
    PoolClock SYSTEM = new SuspendAware(System::nanoTime, System::currentTimeMillis);

    /** Nanoseconds from an arbitrary origin; only differences between readings mean anything. */
    long nanoTime();

    /**
     * As {@link #nanoTime()}, without the time {@link #catchUp} added: time this process could
     * run, for telling whether its loops still turn (a suspend is not a hang).
     */
    default long runningNanos() {
        return nanoTime();
    }

    /** Pauses the calling thread for {@code d} (a retry's backoff). */
    void sleep(Duration d) throws InterruptedException;

    /**
     * Looks for time that passed without this clock seeing it, and moves the clock on by it; the
     * lease watch calls it on every turn. Does nothing unless the clock can tell.
     */
    default void catchUp() {}

    /**
     * The monotonic clock does not advance while the machine or virtual machine is suspended
     * (Linux's {@code CLOCK_MONOTONIC}), but the database's clock, which times leases, does. A
     * lease whose local deadline was still ahead before a suspend may have expired, and been
     * taken over, by the time the process runs again. {@link #catchUp} compares how far the wall
     * clock moved with how far the monotonic clock moved since its last call: a lead of more than
     * {@link #JUMP} is taken as time the monotonic clock missed, and added to every later reading,
     * so the local lease deadlines pass at once and the executions under them stop. The lease
     * watch calls it on every turn (at most a second apart), and a claim and a heartbeat call it
     * before they take the reading their new deadlines count from. A wall clock
     * stepped forward by more than {@code JUMP} is taken the same way, which only stops executions
     * early; a step backward is ignored.
     */
    final class SuspendAware implements PoolClock {
        /** The lead of the wall clock over the monotonic one taken as missed time. */
        static final Duration JUMP = Duration.ofSeconds(1);

        private final LongSupplier monotonicNanos;
        private final LongSupplier wallMillis;
        private final AtomicLong missedNanos = new AtomicLong();
        private long lastMonotonic;
        private long lastWall;

        SuspendAware(LongSupplier monotonicNanos, LongSupplier wallMillis) {
            this.monotonicNanos = monotonicNanos;
            this.wallMillis = wallMillis;
            this.lastMonotonic = monotonicNanos.getAsLong();
            this.lastWall = wallMillis.getAsLong();
        }

        @Override
        public long nanoTime() {
            return monotonicNanos.getAsLong() + missedNanos.get();
        }

        @Override
        public long runningNanos() {
            return monotonicNanos.getAsLong();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            Thread.sleep(d);
        }

        @Override
        public synchronized void catchUp() {
            long monotonic = monotonicNanos.getAsLong();
            long wall = wallMillis.getAsLong();
            long lead = Duration.ofMillis(wall - lastWall).toNanos() - (monotonic - lastMonotonic);
            lastMonotonic = monotonic;
            lastWall = wall;
            if (lead > JUMP.toNanos()) {
                missedNanos.addAndGet(lead);
                org.slf4j.LoggerFactory.getLogger(PoolClock.class)
                        .warn(
                                "the wall clock moved {} ms more than the monotonic clock (a suspended machine, or a"
                                        + " clock step): leases are timed as if that much time passed",
                                lead / 1_000_000);
            }
        }
    }
}
