package io.nebula.worker.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The worker's concurrency slots. The claim loop takes slots <em>before</em> it claims (so it
 * never claims more than it can run) and gives back the ones the claim did not fill; each
 * execution gives its slot back when its outcome is written, whatever happens.
 */
final class Slots {
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private int free;
    /**
     * The targets of the threads waiting now (how many free slots each waits for); a give wakes
     * them only when it reaches the lowest, not for every slot given back.
     */
    private final List<Integer> targets = new ArrayList<>(4);

    private int lowestTarget = Integer.MAX_VALUE;
    /** Run once by the next give after {@link #onNextGive} set it, outside the lock. */
    private Runnable onNextGive;

    Slots(int capacity) {
        this.capacity = capacity;
        this.free = capacity;
    }

    int capacity() {
        return capacity;
    }

    int free() {
        lock.lock();
        try {
            return free;
        } finally {
            lock.unlock();
        }
    }

    int inUse() {
        return capacity - free();
    }

    /** Takes up to {@code max} free slots without waiting; returns how many were taken. */
    int take(int max) {
        lock.lock();
        try {
            int n = Math.min(max, free);
            free -= n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back the slots of executions that ended; runs what {@link #onNextGive} set. */
    void give(int n) {
        give(n, true);
    }

    /**
     * Gives back slots a claim took and did not fill (or a claim that was not sent). Leaves what
     * {@link #onNextGive} set for the next execution that ends.
     */
    void giveUnfilled(int n) {
        give(n, false);
    }

    private void give(int n, boolean ended) {
        if (n <= 0) {
            return;
        }
        Runnable then = null;
        lock.lock();
        try {
            free += n;
            if (free > capacity) {
                throw new IllegalStateException("more slots given back than taken");
            }
            if (free >= lowestTarget) {
                freed.signalAll();
            }
            if (ended) {
                then = onNextGive;
                onNextGive = null;
            }
        } finally {
            lock.unlock();
        }
        if (then != null) {
            then.run();
        }
    }

    /**
     * Runs {@code r} once, when an execution next gives its slot back ({@link #give}), replacing
     * what an earlier call set.
     */
    void onNextGive(Runnable r) {
        lock.lock();
        try {
            onNextGive = r;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least {@code wanted} slots are free or {@code max} has passed; returns whether
     * any slot is free.
     */
    boolean awaitFree(int wanted, Duration max) throws InterruptedException {
        long remaining = max.toNanos();
        int target = Math.min(wanted, capacity);
        lock.lock();
        try {
            if (free < target && remaining > 0) {
                waitFor(target);
                try {
                    while (free < target && remaining > 0) {
                        remaining = freed.awaitNanos(remaining);
                    }
                } finally {
                    doneWaiting(target);
                }
            }
            return free > 0;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every slot is free or the timeout passes; returns whether all are free. */
    boolean awaitAllFree(long timeout, TimeUnit unit) throws InterruptedException {
        long remaining = unit.toNanos(timeout);
        lock.lock();
        try {
            if (free < capacity && remaining > 0) {
                waitFor(capacity);
                try {
                    while (free < capacity && remaining > 0) {
                        remaining = freed.awaitNanos(remaining);
                    }
                } finally {
                    doneWaiting(capacity);
                }
            }
            return free == capacity;
        } finally {
            lock.unlock();
        }
    }

    /** How many threads wait for slots now (tests wait for their waiters with it). */
    int waiting() {
        lock.lock();
        try {
            return targets.size();
        } finally {
            lock.unlock();
        }
    }

    /** Registers a waiter's target; the lock is held. */
    private void waitFor(int target) {
        targets.add(target);
        lowestTarget = Math.min(lowestTarget, target);
    }

    /** Removes a waiter's target; the lock is held. */
    private void doneWaiting(int target) {
        targets.remove(Integer.valueOf(target));
        int lowest = Integer.MAX_VALUE;
        for (int t : targets) {
            lowest = Math.min(lowest, t);
        }
        lowestTarget = lowest;
    }
}
