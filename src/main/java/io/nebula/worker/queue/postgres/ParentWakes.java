package io.nebula.worker.queue.postgres;

import io.nebula.worker.queue.StoreException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the parent wake-ups that a child's end passed on because someone held the parent's row
 * (migration 13). The listeners hand each parent id here; one virtual thread makes the wake-ups one
 * at a time, each in its own short transaction that waits for the row, so a parent whose row stays
 * held costs one pooled connection for at most the function's lock wait, never one per child. An id
 * already waiting is not queued twice. Every worker that listens does this for every such parent,
 * so the first to get the row makes the wake-up and the others find nothing left to do; a failure
 * leaves it to the parent's look-again delay, as before the migration.
 */
final class ParentWakes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParentWakes.class);

    private final LongPredicate wake;
    private final Set<Long> waiting = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Long> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** @param wake makes one parent's wake-up; true when its row was looked at */
    ParentWakes(LongPredicate wake) {
        this.wake = wake;
        this.thread = Thread.ofVirtual().name("nebula-parent-wakes").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Queues the wake-up of {@code parent} unless it is queued already; never blocks. */
    void offer(long parent) {
        if (running && waiting.add(parent)) {
            queue.add(parent);
        }
    }

    private void loop() {
        while (running) {
            long parent;
            try {
                parent = queue.take();
            } catch (InterruptedException e) {
                continue;
            }
            // Taken off first: a wake-up passed on while this one runs is made again after it.
            waiting.remove(parent);
            try {
                boolean looked = wake.test(parent);
                log.debug("made a parent's wake-up passed on by its child execution_id={} looked={}", parent, looked);
            } catch (StoreException e) {
                log.debug(
                        "could not make a parent's wake-up; it looks again after its own delay execution_id={} error={}",
                        parent,
                        e.getMessage());
            } catch (RuntimeException e) {
                if (running) {
                    log.warn(
                            "could not make a parent's wake-up; it looks again after its own delay execution_id={}",
                            parent,
                            e);
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        queue.clear();
        waiting.clear();
    }
}
