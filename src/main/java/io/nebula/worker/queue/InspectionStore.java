package io.nebula.worker.queue;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads for people and tools: executions, their nodes, history and signals, pages of executions,
 * known and paused queues, counts per queue, stored definitions, and the database clock.
 */
public interface InspectionStore {

    Optional<ExecutionView> executionGet(long id);

    List<ExecutionView> executionList(ExecutionFilter filter);

    List<NodeResult> nodeResultList(long executionId);

    List<HistoryEntry> historyList(long executionId);

    /**
     * How many due, available executions of the same queue come before {@code id} in claim order
     * (priority, run-at, id), counted up to {@code cap}; 0 when there is no such execution.
     */
    long executionCountAhead(long id, int cap);

    /**
     * One page of executions, newest first (creation time, then id), continuing after {@code
     * query.after()}. Pages are found by key, never by counting rows to skip, and read a bounded
     * number of rows whatever the table's size: filters an index serves read only matching rows;
     * the others read at most a fixed number of rows per page and say so ({@link
     * ExecutionPage#searchLimited()}).
     */
    ExecutionPage executionPage(ExecutionQuery query);

    /** The execution submitted with this idempotency key (unique index lookup). */
    Optional<ExecutionView> executionGetByKey(String idempotencyKey);

    /**
     * The executions submitted with these idempotency keys, by key, in one statement (a unique index
     * lookup per key); keys without an execution are absent. At most {@value #MAX_KEYS} keys.
     */
    Map<String, ExecutionView> executionGetByKeys(Collection<String> idempotencyKeys);

    /** The most keys {@link #executionGetByKeys} takes at once. */
    int MAX_KEYS = 1_000;

    /**
     * Failed executions per queue that finished within {@code window}, counted up to {@code cap}
     * rows in all. Queues without such executions are absent.
     */
    Map<String, Long> queueFailedRecently(Duration window, long cap);

    /**
     * Finished executions per queue and minute for the last {@code minutes} minutes of the database
     * clock, the current minute included; each minute counts up to {@code capPerMinute} rows.
     * Minutes in which a queue finished nothing are absent.
     */
    List<ThroughputBucket> queueThroughput(int minutes, long capPerMinute);

    /** Stored definitions ordered by name, then hash, after ({@code afterName}, {@code afterHash}). */
    List<WorkflowSummary> workflowList(String afterName, String afterHash, int limit);

    /** The database's current time, for explanations and tests. */
    java.time.Instant databaseNow();

    /** Queues currently paused. */
    List<String> queuePausedList();

    /**
     * Every known queue, by name: those a worker has served (workers add theirs when they
     * register) and those an operator created or paused.
     */
    List<KnownQueue> queueList();

    /**
     * The running executions of one queue, counted as a claim counts them against the queue's
     * limit (every running row holds a lease); exact, not capped.
     */
    long queueRunning(String queue);

    /** One signal of an execution (delivered, waited for, or both), with the database clock. */
    Optional<SignalView> signalGet(long executionId, String name);

    /** Every signal of an execution, in the order they were first waited for or delivered. */
    List<SignalView> signalList(long executionId);
}
