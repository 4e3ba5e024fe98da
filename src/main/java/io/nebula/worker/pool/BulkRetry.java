package io.nebula.worker.pool;

import io.nebula.worker.queue.ChildKeys;
import io.nebula.worker.queue.ExecutionPage;
import io.nebula.worker.queue.ExecutionQuery;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionSummary;
import io.nebula.worker.queue.RetryResult;
import io.nebula.worker.queue.StoreException;

/**
 * The operator's retry of every failed (or every cancelled) execution a filter matches, newest
 * first, each through {@link SubWorkflows#retry} as a retry of one execution is: its own
 * transaction, its failed children first. A sub-workflow's child whose parent is failed or
 * cancelled too is left to the parent's retry (counted as skipped): retried alone, it would run
 * again for a parent that does not. Bounded twice: by the number of executions it retries
 * and by the rows it reads looking for them, so a filter that no index serves cannot walk a large
 * table unbounded. An execution that stopped matching meanwhile (retried by someone else, say) is
 * skipped and counted.
 */
public final class BulkRetry {
    /** The most executions one bulk retry may touch. */
    public static final int MAX = 10_000;

    /** The most rows read for filters no index serves, over every page of one bulk retry. */
    public static final long SCAN_LIMIT = 100L * ExecutionQuery.SCAN_BUDGET;

    private static final int PAGE = ExecutionQuery.MAX_LIMIT;

    private BulkRetry() {}

    /** Whether {@code e} is a sub-workflow's child whose parent is failed or cancelled. */
    private static boolean parentEnded(ExecutionStore store, ExecutionSummary e) {
        return ChildKeys.parentOf(e.idempotencyKey())
                .flatMap(p -> store.executionGet(p.executionId()))
                .map(p -> p.state() == ExecutionState.FAILED || p.state() == ExecutionState.CANCELLED)
                .orElse(false);
    }

    /**
     * What a bulk retry did, or would do.
     *
     * @param matched executions that matched the filter when read (at most the limit)
     * @param requeued executions queued again ({@code 0} for a dry run)
     * @param skipped matched executions that were no longer failed or cancelled when their turn
     *     came, or children left to their failed or cancelled parent's retry
     * @param more {@code true} when more executions may match than were touched: the limit was
     *     reached, or the search stopped at {@link #SCAN_LIMIT}
     */
    public record Result(int matched, int requeued, int skipped, boolean more) {}

    /**
     * The database failed part way through a bulk retry, after it had queued some executions
     * again: what it did until then ({@link #done()}, with {@code more} set), and the store's error
     * as the cause. Running the same retry again picks up the rest, since what was queued no longer
     * matches.
     */
    public static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Result done;

        Stopped(Result done, StoreException cause) {
            super(cause.getMessage(), cause);
            this.done = done;
        }

        public Result done() {
            return done;
        }

        @Override
        public synchronized StoreException getCause() {
            return (StoreException) super.getCause();
        }
    }

    /**
     * Retries up to {@code limit} executions matching {@code filter}, whose state must be failed or
     * cancelled.
     *
     * @param dryRun count what matches and change nothing
     * @throws IllegalArgumentException for another state or a limit outside 1 to {@link #MAX}
     * @throws Stopped when the database failed after some executions were queued again
     * @throws StoreException when it failed before any was
     */
    public static Result retry(
            ExecutionStore store, ExecutionQuery filter, int limit, boolean fromScratch, String by, boolean dryRun) {
        return retry(store, filter, limit, SCAN_LIMIT, fromScratch, by, dryRun);
    }

    /**
     * As {@link #retry(ExecutionStore, ExecutionQuery, int, boolean, String, boolean)}, reading at
     * most {@code scanLimit} rows for the filters no index serves (a web request's bound).
     */
    public static Result retry(
            ExecutionStore store,
            ExecutionQuery filter,
            int limit,
            long scanLimit,
            boolean fromScratch,
            String by,
            boolean dryRun) {
        if (filter.state() != ExecutionState.FAILED && filter.state() != ExecutionState.CANCELLED) {
            throw new IllegalArgumentException("only failed or cancelled executions can be retried, not "
                    + (filter.state() == null ? "every state" : filter.state().dbName()));
        }
        if (limit < 1 || limit > MAX) {
            throw new IllegalArgumentException("a bulk retry touches 1 to " + MAX + " executions, not " + limit);
        }
        ExecutionQuery q = new ExecutionQuery(
                filter.state(),
                filter.workflowName(),
                filter.workflowHash(),
                filter.queue(),
                filter.createdFrom(),
                filter.createdBefore(),
                null,
                PAGE);
        int[] counts = new int[3];
        try {
            return retry(store, q, limit, scanLimit, fromScratch, by, dryRun, counts);
        } catch (StoreException e) {
            if (counts[1] == 0) {
                throw e;
            }
            throw new Stopped(new Result(counts[0], counts[1], counts[2], true), e);
        }
    }

    /** The retry itself, keeping {@code counts} (matched, requeued, skipped) as it goes. */
    private static Result retry(
            ExecutionStore store,
            ExecutionQuery q,
            int limit,
            long scanLimit,
            boolean fromScratch,
            String by,
            boolean dryRun,
            int[] counts) {
        int matched = 0;
        int requeued = 0;
        int skipped = 0;
        long scanned = 0;
        while (true) {
            ExecutionPage page = store.executionPage(q);
            scanned += page.scanned();
            for (ExecutionSummary e : page.rows()) {
                if (matched == limit) {
                    return new Result(matched, requeued, skipped, true);
                }
                matched++;
                counts[0] = matched;
                if (parentEnded(store, e)) {
                    counts[2] = ++skipped;
                    continue;
                }
                if (dryRun) {
                    continue;
                }
                // Keyset paging over (created_at, id): a row that leaves the state as it is
                // retried does not move the pages after it.
                if (SubWorkflows.retry(store, e.id(), fromScratch, by) == RetryResult.REQUEUED) {
                    counts[1] = ++requeued;
                } else {
                    counts[2] = ++skipped;
                }
            }
            if (page.next() == null) {
                return new Result(matched, requeued, skipped, false);
            }
            if (scanned >= scanLimit) {
                return new Result(matched, requeued, skipped, true);
            }
            q = q.withAfter(page.next());
        }
    }
}
