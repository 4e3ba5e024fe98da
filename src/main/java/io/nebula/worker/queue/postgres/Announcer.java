package io.nebula.worker.queue.postgres;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the wake-ups of committed submits, one at a time: the queues that submits hand over while
 * a wake-up is being sent are sent together in the next one. A submit therefore returns after its
 * own commit without waiting for its NOTIFY, and many concurrent submits share few NOTIFY
 * transactions: PostgreSQL lets one transaction that notifies commit at a time.
 *
 * <p>A wake-up is a hint: one that fails is logged and dropped, and claimers find the executions
 * at their next poll. {@link #close} waits for the wake-ups still being sent (a while at most), so
 * a client that closes its store right after concurrent submits still wakes the workers.
 */
final class Announcer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Announcer.class);

    /** The longest {@link #close} waits for the wake-ups still being sent. */
    static final long CLOSE_WAIT_MS = 5_000;

    private final Consumer<Set<String>> send;
    /** Queues handed over and not yet sent; guarded by {@code this}. */
    private final Set<String> pending = new LinkedHashSet<>();
    /** Whether a thread is sending; guarded by {@code this}. */
    private boolean sending;
    /** Whether {@link #close} was called: later hand-overs are dropped; guarded by {@code this}. */
    private boolean closed;

    /** @param send sends one NOTIFY per queue in a transaction of its own */
    Announcer(Consumer<Set<String>> send) {
        this.send = send;
    }

    /** Hands over the queues of a committed submit; returns at once. */
    void announce(Set<String> queues) {
        synchronized (this) {
            if (closed) {
                log.debug("not waking the claimers of queues {}: the store is closing", queues);
                return;
            }
            pending.addAll(queues);
            if (sending) {
                return;
            }
            sending = true;
        }
        try {
            Thread.ofVirtual().name("nebula-announce").start(this::sendAll);
        } catch (RuntimeException e) {
            // The submit has committed: its caller must not hear of this. The queues stay pending
            // for the next hand-over's sender.
            synchronized (this) {
                sending = false;
                notifyAll();
            }
            log.warn("could not start sending wake-ups for queues {}: {}", queues, e.toString());
        }
    }

    /** Sends until nothing is pending, then lets the next hand-over start a thread. */
    private void sendAll() {
        try {
            while (true) {
                Set<String> queues;
                synchronized (this) {
                    if (pending.isEmpty()) {
                        // In the same block as the check: a hand-over after it starts a sender.
                        sending = false;
                        notifyAll();
                        return;
                    }
                    queues = Set.copyOf(pending);
                    pending.clear();
                }
                try {
                    send.accept(queues);
                } catch (RuntimeException e) {
                    log.warn(
                            "could not wake the claimers of queues {} (they find the executions at their next poll):"
                                    + " {}",
                            queues,
                            e.toString());
                }
            }
        } catch (Throwable t) {
            // An Error: the next hand-over starts a sender again, for what is pending then.
            synchronized (this) {
                sending = false;
                notifyAll();
            }
            throw t;
        }
    }

    /**
     * Waits until every queue handed over so far was sent (or its sending failed), at most {@link
     * #CLOSE_WAIT_MS}: a database that does not answer must not hold up a shutdown.
     */
    @Override
    public void close() {
        boolean interrupted = false;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
        synchronized (this) {
            closed = true;
            long left;
            while (sending && (left = deadline - System.nanoTime()) > 0) {
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
