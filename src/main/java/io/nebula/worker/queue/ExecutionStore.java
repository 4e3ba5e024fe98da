package io.nebula.worker.queue;

import io.nebula.worker.config.WorkerIds;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one port between the worker and its database. PostgreSQL and SQLite implement it, and every
 * implementation passes the same contract suite ({@code ExecutionStoreContract} in the tests).
 *
 * <p>Rules every implementation keeps (see {@code SEMANTICS.md}):
 *
 * <ul>
 *   <li>Times come from the database clock; callers pass durations, never their own "now".
 *   <li>Every write after a claim is guarded by execution id <em>and</em> lease epoch. A write
 *       that matches no row means the lease was lost: nothing is written and the result says so.
 *   <li>Each method is one short statement or one short transaction; no transaction stays open
 *       while a node runs.
 *   <li>History rows are written in the same transaction as the transition they record.
 * </ul>
 *
 * <p>Methods are named noun first ({@code executionClaim}, {@code leaseHeartbeat}) so related
 * operations sort together.
 */
public interface ExecutionStore extends LeaseStore, AutoCloseable {

    /** The database this store speaks. */
    Dialect dialect();

    // ---- schema ----------------------------------------------------------------------------

    /**
     * Checks that the database can be reached with the configured address and credentials, with
     * one fresh connection, so that a wrong one is reported at once (as a {@link StoreException}
     * with a {@link DatabaseProblem}) rather than after a pool's connection timeout. Stores without
     * connections to open do nothing.
     */
    default void probe() {}

    /** Applies missing migrations. Safe to call from several processes at once. */
    void migrate();

    /** Whether the schema is at the version this build expects, without changing anything. */
    SchemaStatus schemaStatus();

    /**
     * The store's installation id, made once by the migration that added it; the same for every
     * process using this store, different for every store (see {@link Installation}).
     */
    Installation installation();

    // ---- definitions and submit -------------------------------------------------------------

    /** Stores a definition by its content hash; storing the same hash again is a no-op. */
    void workflowPut(WorkflowDocument document);

    Optional<WorkflowDocument> workflowGet(String hash);

    /**
     * Stores a definition (if new) and makes it the latest deployed version of its name, the one
     * {@link #workflowLatest} returns; deploying an earlier version again makes it the latest.
     */
    WorkflowDeployed workflowDeploy(WorkflowDocument document);

    /** The latest deployed version of a workflow name. */
    Optional<WorkflowDocument> workflowLatest(String name);

    /**
     * Stored versions of {@code name} whose hash starts with {@code hashPrefix}, at most two (two
     * mean the prefix is ambiguous).
     */
    List<WorkflowDocument> workflowFind(String name, String hashPrefix);

    /** Every stored version of {@code name}: deployed ones, latest first, then the others, newest first. */
    List<WorkflowVersion> workflowVersions(String name);

    /**
     * One entry per workflow name: its current version (the latest deployed, else the newest
     * stored) with the number of versions stored.
     */
    List<WorkflowVersion> workflowNames();

    /**
     * Enqueues executions in one round trip and one transaction. Results are in request order.
     *
     * @throws SubmitRejectedException when an input is unacceptable (size, NUL, invalid JSON);
     *     nothing is written then
     */
    List<Submitted> executionSubmitMany(List<SubmitRequest> requests);

    /**
     * Enqueues inside the caller's open transaction on {@code connection}, so the executions exist
     * exactly when the caller's own writes commit. The caller commits or rolls back; the
     * definitions must already be stored (or be stored on the same connection first).
     */
    List<Submitted> executionSubmitInTransaction(Connection connection, List<SubmitRequest> requests);

    /** Stores a definition inside the caller's open transaction. */
    void workflowPutInTransaction(Connection connection, WorkflowDocument document);

    // ---- maintenance -------------------------------------------------------------------------

    /**
     * Rescues executions whose lease expired, in one guarded statement: back to available, or
     * failed when attempts are used up, or quarantined when holders died {@code maxDeaths} times.
     */
    default RescueResult executionRescue(int maxDeaths, int limit) {
        return executionRescue(maxDeaths, limit, null);
    }

    /**
     * As {@link #executionRescue(int, int)}, fenced by a leader lease: the statement changes
     * nothing unless {@code leader} holds its lease by the database clock when it runs (a
     * statement delayed past the end of its sender's term, by a partition, cannot act in the next
     * leader's term). {@code null} means unfenced.
     */
    RescueResult executionRescue(int maxDeaths, int limit, LeaderFence leader);

    /** Deletes finished executions (and their nodes and history) older than {@code retention}. */
    default int executionPrune(Duration retention, int limit) {
        return executionPrune(retention, limit, null);
    }

    /** As {@link #executionPrune(Duration, int)}, fenced by a leader lease like the rescue. */
    int executionPrune(Duration retention, int limit, LeaderFence leader);

    /** The leader lease {@code name} that {@code holder} must hold for a fenced statement to act. */
    record LeaderFence(String name, String holder) {}

    /**
     * Per-queue statistics; counts are capped at {@code cap} so the cost stays bounded. With
     * {@code finishedTotals} false, counts of the terminal states cover only the last minute, which
     * reads a small index range instead of every finished row (the periodic refresh uses this).
     */
    List<QueueStats> queueStats(long cap, boolean finishedTotals);

    /** Statistics with all-time (capped) counts of finished executions, for operators. */
    default List<QueueStats> queueStats(long cap) {
        return queueStats(cap, true);
    }

    /**
     * Statistics for a page people keep open: as {@code queueStats(cap, false)}, but each unfinished
     * state is counted by walking its own partial index in order (up to {@code cap} rows each), so
     * the cost follows the backlog and never becomes a scan of the table, whatever the planner's
     * statistics say.
     */
    List<QueueStats> queueOverview(long cap);

    /**
     * Takes or renews the named leader lease for {@code holder}; returns whether it holds it now.
     */
    boolean leaderAttemptElect(String name, String holder, Duration ttl);

    void leaderResign(String name, String holder);

    Optional<String> leaderGet(String name);

    // ---- registry ------------------------------------------------------------------------------

    void workerRegister(WorkerInfo worker);

    void workerDeregister(String workerId);

    /** Workers seen within {@code within}. */
    List<WorkerInfo> workerList(Duration within);

    // ---- operator actions ------------------------------------------------------------------------

    /**
     * Cancels a waiting execution at once, or asks the holder of a running one to stop. {@code
     * reason} is recorded and kept to the end; {@code by} names who asked (an operator as {@code
     * user@host}) and is recorded in the history in place of the last lease holder, or {@code null}.
     */
    CancelResult executionCancel(long id, String reason, String by);

    /** As {@link #executionCancel(long, String, String)}, by whoever runs this process. */
    default CancelResult executionCancel(long id, String reason) {
        return executionCancel(id, reason, WorkerIds.operator());
    }

    /**
     * Re-queues a failed or cancelled execution, keeping its succeeded nodes unless asked not to.
     * {@code by} is recorded in the history as for {@link #executionCancel(long, String, String)}.
     */
    RetryResult executionRetry(long id, boolean fromScratch, String by);

    /** As {@link #executionRetry(long, boolean, String)}, by whoever runs this process. */
    default RetryResult executionRetry(long id, boolean fromScratch) {
        return executionRetry(id, fromScratch, WorkerIds.operator());
    }

    /** Pauses or resumes claiming from a queue; a queue not known yet becomes known. */
    void queuePause(String queue, boolean paused);

    /** Queues currently paused. */
    List<String> queuePausedList();

    /**
     * Every known queue, by name: those a worker has served (workers add theirs when they
     * register) and those an operator created or paused.
     */
    List<KnownQueue> queueList();

    /** Makes a queue known (an operator's {@code queues create}); {@code false} when it already was. */
    boolean queueCreate(String queue);

    // ---- signals ---------------------------------------------------------------------------------

    /**
     * Delivers signal {@code name} with {@code dataJson} to an execution that has not finished. The
     * first delivery of a name is kept and later ones change nothing ({@code DUPLICATE}); a
     * delivery before any node waits is kept for the node that will. When a node has parked the
     * execution waiting for this signal, the execution becomes due at once ({@code woke}).
     *
     * @throws SubmitRejectedException when the data is not acceptable JSON (size, NUL, UTF-8)
     */
    SignalDelivery signalSend(long executionId, String name, String dataJson);

    /** One signal of an execution (delivered, waited for, or both), with the database clock. */
    Optional<SignalView> signalGet(long executionId, String name);

    /** Every signal of an execution, in the order they were first waited for or delivered. */
    List<SignalView> signalList(long executionId);

    // ---- schedules -------------------------------------------------------------------------------

    /**
     * Stores a new schedule; the workflow it names must be stored already.
     *
     * @return {@code false} when a schedule with that name exists (nothing changed)
     */
    boolean scheduleCreate(Schedule schedule);

    /**
     * Creates or replaces a schedule's definition, pause state and next fire time; the record of
     * its last fire is kept.
     */
    void scheduleSave(Schedule schedule);

    Optional<Schedule> scheduleGet(String name);

    /** Every schedule, by name. */
    List<Schedule> scheduleList();

    /**
     * Pauses or resumes a schedule. A resume with {@code nextFireAt} moves the next fire time
     * there (so time spent paused is not caught up); {@code null} keeps it.
     *
     * @return {@code false} when there is no such schedule
     */
    boolean schedulePause(String name, boolean paused, java.time.Instant nextFireAt);

    /** Deletes a schedule; executions it fired stay. Returns {@code false} when there was none. */
    boolean scheduleDelete(String name);

    /**
     * Active schedules whose next fire time is at or before {@code asOf}, oldest first, at most
     * {@code limit}. {@code asOf} is {@code null} in production (the database clock is used) and a
     * fixed instant in tests.
     */
    ScheduleDue scheduleDue(java.time.Instant asOf, int limit);

    /**
     * Fires one due schedule in one transaction (see {@link ScheduleFire}). Safe to call from many
     * workers at once: the schedule's row is locked while it fires, a caller that read an older
     * next fire time gets {@code STALE}, and the database's unique idempotency key allows one
     * execution per schedule and fire time whatever happens.
     */
    ScheduleFire.Result scheduleFire(ScheduleFire fire);

    // ---- inspection ------------------------------------------------------------------------------

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

    // ---- wake-ups ---------------------------------------------------------------------------------

    /**
     * Calls {@code onWake} (on some other thread) when executions may have become available on one
     * of {@code queues}. A hint only: callers must poll as well. Close the result to stop.
     */
    AutoCloseable wakeupSubscribe(List<String> queues, Runnable onWake);

    /** Whether the wake-up channel is currently connected (always true for in-process channels). */
    boolean wakeupConnected();

    /**
     * Connections of the store's pool by state ({@code active}, {@code idle}, {@code pending} for
     * callers waiting, {@code max}); empty when the store has no pool.
     */
    default Map<String, Integer> connectionPoolUsage() {
        return Map.of();
    }

    @Override
    void close();

    /**
     * What a deploy did.
     *
     * @param version the deployed version, now the latest of its name
     * @param stored whether the definition was new to the store
     * @param previousHash the latest deployed version of the name before, or {@code null}
     */
    record WorkflowDeployed(WorkflowVersion version, boolean stored, String previousHash) {}

    /** Whether the schema is usable. */
    record SchemaStatus(int currentVersion, int expectedVersion) {
        public boolean upToDate() {
            return currentVersion == expectedVersion;
        }
    }
}
