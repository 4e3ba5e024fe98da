package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * How a dialect inserts executions and wakes their claimers. Every write that makes executions due
 * (a submit, a retry, a resumed queue, a signal that wakes a parked execution, a schedule's fire)
 * goes through it.
 */
interface Enqueuing {

    /**
     * Inserts the executions of one submit (already validated and de-duplicated by key) and returns,
     * per request, its id and whether it was created. With {@code later}, the caller calls {@link
     * #afterInsertCommitted} once its transaction committed, so the dialect may wake other
     * processes' claimers then instead of from inside the transaction; without it (a submit in the
     * caller's own transaction) the wake-up must be part of the transaction.
     */
    List<Submitted> insertExecutions(Session s, List<SubmitRequest> requests, boolean later) throws SQLException;

    /** Wakes claimers of these queues once the current transaction commits. */
    void announce(Session s, Set<String> queues) throws SQLException;

    /**
     * Whether {@link #insertExecutions} already wakes claimers in other processes, so a submit needs
     * no {@link #announce} and, being one statement, no transaction of its own.
     */
    boolean announcesOnInsert();

    /** Called after a transaction that made executions of these queues due committed. */
    void afterCommit(Set<String> queues);

    /**
     * Called after a transaction committed whose {@link #insertExecutions} was told {@code later}
     * and created executions of these queues.
     */
    void afterInsertCommitted(Set<String> queues);
}
