package io.nebula.worker.queue.postgres;

import io.nebula.worker.queue.StoreException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the parent wake-ups that a child's end passed on because someone held the parent's row
 * (migration 13). The listeners hand each parent id here; one virtual thread makes the wake-ups one
 * at a time, each in its own short transaction that waits at most 200 ms for the row. A parent whose
 * row is still held goes to the back of the queue and is tried again, at most {@value #MAX_TRIES}
 * times in all (about five seconds of waiting), so one row held for long delays the others by 200 ms
 * a try, and costs one pooled connection at a time, never one per child. An id already queued is
 * not queued twice; one passed on again while its wake-up is being made (a sibling's end that found
 * the row held by that wake-up) is made once more after it. Every worker that listens does this
 * for every such parent, so the first to get the row makes the wake-up and the others find nothing
 * left to change; a wake-up given up, or one that fails, is left to the parent's look-again delay,
 * as before the migration.
 */
final class ParentWakes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParentWakes.class);
    static final int MAX_TRIES = 25;

    /** Makes one parent's wake-up. */
    @FunctionalInterface
    interface Wake {
        /** True when made or nothing was left to change; {@code null} when the row was still held. */
        Boolean wake(long parent);
    }

    private final Wake wake;
    /** Queued parents and the tries each has had; guarded by {@code this}. */
    private final Map<Long, Integer> tries = new HashMap<>();
    /** Parents passed on again while queued or being woken; guarded by {@code this}. */
    private final Set<Long> again = new HashSet<>();

    private final LinkedBlockingQueue<Long> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    ParentWakes(Wake wake) {
        this.wake = wake;
        this.thread = Thread.ofVirtual().name("nebula-parent-wakes").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Queues the wake-up of {@code parent} unless it is queued already; never blocks. */
    synchronized void offer(long parent) {
        if (!running) {
            return;
        }
        if (tries.putIfAbsent(parent, 0) == null) {
            queue.add(parent);
        } else {
            again.add(parent);
        }
    }

    /** The wake-up of {@code parent} is over (made, failed or given up). */
    private synchronized void over(long parent) {
        tries.remove(parent);
        if (again.remove(parent) && running) {
            tries.put(parent, 0);
            queue.add(parent);
        }
    }

    private synchronized int startTry(long parent) {
        // What was passed on before this try is covered by it.
        again.remove(parent);
        return tries.getOrDefault(parent, 0) + 1;
    }

    private synchronized void tryAgain(long parent, int tried) {
        tries.put(parent, tried);
        queue.add(parent);
    }

    private void loop() {
        while (running) {
            long parent;
            try {
                parent = queue.take();
            } catch (InterruptedException e) {
                continue;
            }
            int tried = startTry(parent);
            Boolean made;
            try {
                made = wake.wake(parent);
            } catch (StoreException e) {
                log.debug(
                        "could not make a parent's wake-up; it looks again after its own delay execution_id={} error={}",
                        parent,
                        e.getMessage());
                made = false;
            } catch (RuntimeException e) {
                if (running) {
                    log.warn(
                            "could not make a parent's wake-up; it looks again after its own delay execution_id={}",
                            parent,
                            e);
                }
                made = false;
            }
            if (made == null && tried < MAX_TRIES && running) {
                tryAgain(parent, tried);
                continue;
            }
            over(parent);
            if (made == null) {
                log.debug(
                        "gave up a parent's wake-up, its row held through {} tries; it looks again after its own"
                                + " delay execution_id={}",
                        tried,
                        parent);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            queue.clear();
            tries.clear();
            again.clear();
        }
    }
}
