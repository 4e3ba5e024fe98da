package io.nebula.worker.pool;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a background service's {@code runOnce} at a fixed delay on its own virtual thread, so a slow
 * service (pruning) never delays another (heartbeats). Exceptions are caught here, at the loop
 * boundary, logged and counted; tests call {@code runOnce} directly instead of waiting for ticks.
 */
final class Periodic {
    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    /** A service with one step of work. */
    interface Service {
        void runOnce() throws InterruptedException;
    }

    private final String name;
    private final Supplier<Duration> delay;
    private final Service service;
    private final Thread thread;
    private volatile boolean running = true;
    private final java.util.concurrent.CountDownLatch stopping = new java.util.concurrent.CountDownLatch(1);
    private final PoolClock clock;
    private volatile long lastTickNanos;

    Periodic(String name, Supplier<Duration> delay, Service service, PoolClock clock) {
        this.name = name;
        this.delay = delay;
        this.service = service;
        this.clock = clock;
        this.lastTickNanos = clock.runningNanos();
        this.thread = Thread.ofVirtual().name("nebula-" + name).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Nanos of the last completed tick (for liveness). */
    long lastTickNanos() {
        return lastTickNanos;
    }

    String name() {
        return name;
    }

    private void loop() {
        while (running) {
            try {
                service.runOnce();
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                log.warn("{} failed; will retry: {}", name, e.toString());
            }
            lastTickNanos = clock.runningNanos();
            try {
                // Waits on a latch, not in Thread.sleep: stop() ends the wait without an interrupt.
                stopping.await(delay.get().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            }
        }
    }

    /**
     * Stops after the current step. The step is not interrupted at first: on a virtual thread an
     * interrupt during a database call closes the connection and loses the statement's answer (a
     * rescue's count, a heartbeat). Only a step still running after five seconds is interrupted.
     */
    void stop() {
        stop(Duration.ofSeconds(5));
    }

    /**
     * As {@link #stop()}, interrupting a step still running after {@code patience}; zero when the
     * database no longer answers, so a step waiting on it cannot hold up a shutdown.
     */
    void stop(Duration patience) {
        running = false;
        stopping.countDown();
        try {
            if (!thread.join(patience)) {
                thread.interrupt();
                thread.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalThreadStateException notStarted) {
            // never started: nothing to stop
        }
    }
}
