package io.nebula.worker.pool;

import io.nebula.worker.queue.Completion;
import io.nebula.worker.queue.CompletionResult;
import io.nebula.worker.queue.LeaseStore;
import io.nebula.worker.queue.LeaseStore.Checkpoint;
import io.nebula.worker.queue.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes checkpoints and completions in batches. Executions hand their writes here and wait for
 * the returned future; one thread drains whatever has accumulated and writes it in one call per
 * kind, so under load hundreds of results share a commit, and at low load a lone result is written
 * at once (no batching window). Several flusher threads may write batches at the same time, so
 * their commits overlap (PostgreSQL then flushes its log once for several of them). The semantics
 * do not change: every write is still fenced by its own lease, a caller learns only after the
 * commit whether its write was accepted, and an execution has its completion queued only after
 * all its checkpoints were acknowledged, so batches never reorder one execution's writes.
 *
 * <p>When the database is unreachable the batch is retried with backoff for as long as its
 * executions may still hold their leases; after that their futures fail with "lease lost".
 */
final class ResultPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);
    private static final int MAX_BATCH = 512;

    private sealed interface Pending {
        long executionId();
    }

    private record PendingCheckpoint(Checkpoint checkpoint, CompletableFuture<Boolean> done) implements Pending {
        @Override
        public long executionId() {
            return checkpoint.lease().executionId();
        }
    }

    private record PendingCompletion(Completion completion, CompletableFuture<CompletionResult> done)
            implements Pending {
        @Override
        public long executionId() {
            return completion.lease().executionId();
        }
    }

    private final LeaseStore store;
    private final LongPredicate mayStillHoldLease;
    private final PoolClock clock;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * @param mayStillHoldLease whether an execution's lease may still be valid (false once its local
     *     deadline has passed), used to stop retrying writes that can no longer succeed
     * @param flushers how many threads write batches; with none, nothing is written until
     *     {@link #flushOnce()} is called
     * @param clock sleeps the backoff between retries
     */
    ResultPublisher(LeaseStore store, LongPredicate mayStillHoldLease, int flushers, PoolClock clock) {
        this.store = store;
        this.mayStillHoldLease = mayStillHoldLease;
        this.clock = clock;
        for (int i = 0; i < flushers; i++) {
            threads.add(Thread.ofVirtual().name("nebula-publisher-" + i).unstarted(this::loop));
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    CompletableFuture<Boolean> checkpoint(Checkpoint c) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        queue.add(new PendingCheckpoint(c, f));
        return f;
    }

    CompletableFuture<CompletionResult> complete(Completion c) {
        CompletableFuture<CompletionResult> f = new CompletableFuture<>();
        queue.add(new PendingCompletion(c, f));
        return f;
    }

    private void loop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                flush(first, batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            }
        }
    }

    /**
     * Writes one batch of what is queued now, on the calling thread, without waiting for more;
     * returns how many writes the batch held. Tests step the publisher with it.
     */
    int flushOnce() throws InterruptedException {
        Pending first = queue.poll();
        return first == null ? 0 : flush(first, new ArrayList<>(MAX_BATCH));
    }

    private int flush(Pending first, List<Pending> batch) throws InterruptedException {
        try {
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            write(batch);
            return batch.size();
        } catch (RuntimeException e) {
            log.error("result publisher failed a batch size={}", batch.size(), e);
            for (Pending p : batch) {
                fail(p, e);
            }
            return batch.size();
        } finally {
            batch.clear();
        }
    }

    private void write(List<Pending> batch) throws InterruptedException {
        long backoff = 50;
        List<Pending> todo = batch;
        while (true) {
            try {
                writeOnce(todo);
                return;
            } catch (StoreException e) {
                List<Pending> keep = new ArrayList<>();
                for (Pending p : todo) {
                    if (mayStillHoldLease.test(p.executionId())) {
                        keep.add(p);
                    } else {
                        fail(p, new StoreException("lease expired while the database was unreachable", e));
                    }
                }
                if (keep.isEmpty()) {
                    return;
                }
                log.warn(
                        "could not write results, retrying in {} ms pending={} error={}",
                        backoff,
                        keep.size(),
                        e.getMessage());
                todo = keep;
                clock.sleep(Duration.ofMillis(backoff));
                backoff = Math.min(2_000, backoff * 2);
            }
        }
    }

    private void writeOnce(List<Pending> batch) {
        List<PendingCheckpoint> cps = new ArrayList<>();
        List<PendingCompletion> cs = new ArrayList<>();
        for (Pending p : batch) {
            switch (p) {
                case PendingCheckpoint c -> cps.add(c);
                case PendingCompletion c -> cs.add(c);
            }
        }
        if (!cps.isEmpty()) {
            List<Boolean> ok = store.nodeCheckpointMany(
                    cps.stream().map(PendingCheckpoint::checkpoint).toList());
            for (int i = 0; i < cps.size(); i++) {
                cps.get(i).done().complete(ok.get(i));
            }
        }
        if (!cs.isEmpty()) {
            // In id order, the order in which a heartbeat and a checkpoint lock rows, so none of
            // them waits for another in a cycle (a stable sort: one execution's writes keep theirs).
            cs.sort(java.util.Comparator.comparingLong(PendingCompletion::executionId));
            List<CompletionResult> rs = store.executionCompleteMany(
                    cs.stream().map(PendingCompletion::completion).toList());
            for (int i = 0; i < cs.size(); i++) {
                cs.get(i).done().complete(rs.get(i));
            }
        }
    }

    private static void fail(Pending p, Throwable e) {
        switch (p) {
            case PendingCheckpoint c -> c.done().completeExceptionally(e);
            case PendingCompletion c -> c.done().completeExceptionally(e);
        }
    }

    int pending() {
        return queue.size();
    }

    /** Writes what is queued, then stops; waits at most {@code max}. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    void close(Duration max) {
        running = false;
        long deadline = clock.nanoTime() + max.toNanos();
        for (Thread t : threads) {
            try {
                long left = Math.max(1, deadline - clock.nanoTime());
                if (t.isAlive() && !t.join(Duration.ofNanos(left))) {
                    t.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            fail(p, new StoreException("worker stopped before the result was written"));
        }
    }
}
