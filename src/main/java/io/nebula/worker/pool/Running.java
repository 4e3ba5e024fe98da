package io.nebula.worker.pool;

import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.TraceSpan;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.LeaseRef;
import io.nebula.worker.queue.StopReason;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One execution this process holds: its lease, the thread running it, and the local deadline by
 * which the lease must have been extended. The deadline is measured on this process's monotonic
 * clock from just before the claim or heartbeat was sent, so it is never later than the database's
 * idea of the expiry.
 */
final class Running {
    private final ClaimedExecution claimed;
    private final ExecutionEvent event;
    private final long startedNanos;
    private final AtomicReference<StopReason> stop = new AtomicReference<>();
    private volatile Thread thread;
    private volatile long leaseDeadlineNanos;
    private volatile boolean publishing;
    private volatile TraceSpan trace = TraceSpan.OFF;

    /**
     * @param leaseDeadlineNanos the local lease deadline on the pool's clock
     * @param startedNanos when the attempt started on the pool's clock
     */
    Running(ClaimedExecution claimed, long leaseDeadlineNanos, long startedNanos) {
        this.claimed = claimed;
        this.leaseDeadlineNanos = leaseDeadlineNanos;
        this.startedNanos = startedNanos;
        this.event = new ExecutionEvent(
                claimed.id(), claimed.workflowName(), claimed.queue(), claimed.attempt(), claimed.leaseEpoch());
    }

    /** This attempt's span ({@link TraceSpan#OFF} without tracing). */
    TraceSpan trace() {
        return trace;
    }

    void trace(TraceSpan span) {
        this.trace = span;
    }

    ClaimedExecution claimed() {
        return claimed;
    }

    ExecutionEvent event() {
        return event;
    }

    LeaseRef lease() {
        return claimed.lease();
    }

    long startedNanos() {
        return startedNanos;
    }

    long leaseDeadlineNanos() {
        return leaseDeadlineNanos;
    }

    void extendLease(long deadlineNanos) {
        this.leaseDeadlineNanos = deadlineNanos;
    }

    void attach(Thread t) {
        this.thread = t;
    }

    StopReason stopReason() {
        return stop.get();
    }

    /** The workflow finished running; from now on only its outcome is being written. */
    void publishing() {
        this.publishing = true;
    }

    boolean isPublishing() {
        return publishing;
    }

    /**
     * Asks the execution to stop. The first reason wins, except that a lost lease overrides the
     * others (nothing may be written then). The thread is interrupted only while the workflow runs.
     */
    boolean requestStop(StopReason reason) {
        boolean changed = stop.compareAndSet(null, reason)
                || (reason == StopReason.LEASE_LOST && stop.getAndSet(reason) != StopReason.LEASE_LOST);
        Thread t = thread;
        if (changed && t != null && !publishing) {
            t.interrupt();
        }
        return changed;
    }
}
