package io.nebula.worker.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The port between the worker and its database: the union of the store's roles ({@link
 * LeaseStore}, {@link SubmissionStore}, {@link MaintenanceStore}, {@link InspectionStore}, {@link
 * OperatorStore}, {@link ScheduleStore}) with the schema and wake-ups, for callers that need
 * everything (the CLI, the console). Each role is implemented by its own part, which {@link
 * #leases()} and its siblings return; code that needs one role (the pool's claim loop, heartbeater
 * and publisher need only {@link LeaseStore}) depends on that role alone. The methods of the roles
 * here forward to their part. PostgreSQL and SQLite implement it, and every implementation passes
 * the same contract suite ({@code ExecutionStoreContract} in the tests; its hot-path half, {@code
 * LeaseStoreContract}, is also passed by the in-memory {@code InMemoryLeaseStore}).
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
public interface ExecutionStore
        extends LeaseStore,
                SubmissionStore,
                MaintenanceStore,
                InspectionStore,
                OperatorStore,
                ScheduleStore,
                AutoCloseable {

    /** The database this store speaks. */
    Dialect dialect();

    // ---- the parts -------------------------------------------------------------------------

    /** The hot path: claims, heartbeats, checkpoints, completions. */
    LeaseStore leases();

    /** Definitions and submissions. */
    SubmissionStore submissions();

    /** Rescue, pruning, statistics, the leader lease and the worker registry. */
    MaintenanceStore maintenance();

    /** Reads for people and tools. */
    InspectionStore inspection();

    /** Cancel, retry, queues, signals. */
    OperatorStore operator();

    /** Schedules. */
    ScheduleStore schedules();

    // ---- schema ----------------------------------------------------------------------------

    /**
     * Checks that the database can be reached with the configured address and credentials, with
     * one fresh connection, so that a wrong one is reported at once (as a {@link StoreException}
     * with a {@link DatabaseProblem}) rather than after a pool's connection timeout. Stores without
     * connections to open do nothing.
     */
    default void probe() {}

    /**
     * Applies missing migrations. Safe to call from several processes at once: each migration is
     * applied by one of them. Returns how many this call applied (0 when another had).
     */
    int migrate();

    /** Whether the schema is at the version this build expects, without changing anything. */
    SchemaStatus schemaStatus();

    /**
     * The store's installation id, made once by the migration that added it; the same for every
     * process using this store, different for every store (see {@link Installation}).
     */
    Installation installation();

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

    // ---- the roles, each answered by its part ---------------------------------------------------

    // ---- LeaseStore ----

    @Override
    default List<ClaimedExecution> executionClaim(ClaimRequest request) {
        return leases().executionClaim(request);
    }

    @Override
    default Map<Long, List<NodeResult>> nodeResultsLoad(List<Long> executionIds) {
        return leases().nodeResultsLoad(executionIds);
    }

    @Override
    default HeartbeatResult leaseHeartbeat(
            String workerId, List<LeaseRef> leases, Duration visibilityTimeout, int active) {
        return leases().leaseHeartbeat(workerId, leases, visibilityTimeout, active);
    }

    @Override
    default List<Boolean> nodeCheckpointMany(List<Checkpoint> checkpoints) {
        return leases().nodeCheckpointMany(checkpoints);
    }

    @Override
    default List<CompletionResult> executionCompleteMany(List<Completion> completions) {
        return leases().executionCompleteMany(completions);
    }

    // ---- SubmissionStore ----

    @Override
    default void workflowPut(WorkflowDocument document) {
        submissions().workflowPut(document);
    }

    @Override
    default Optional<WorkflowDocument> workflowGet(String hash) {
        return submissions().workflowGet(hash);
    }

    @Override
    default WorkflowDeployed workflowDeploy(WorkflowDocument document) {
        return submissions().workflowDeploy(document);
    }

    @Override
    default Optional<WorkflowDocument> workflowLatest(String name) {
        return submissions().workflowLatest(name);
    }

    @Override
    default List<WorkflowDocument> workflowFind(String name, String hashPrefix) {
        return submissions().workflowFind(name, hashPrefix);
    }

    @Override
    default List<WorkflowVersion> workflowVersions(String name) {
        return submissions().workflowVersions(name);
    }

    @Override
    default List<WorkflowVersion> workflowNames() {
        return submissions().workflowNames();
    }

    @Override
    default List<Submitted> executionSubmitMany(List<SubmitRequest> requests) {
        return submissions().executionSubmitMany(requests);
    }

    @Override
    default List<Submitted> executionSubmitInTransaction(
            SubmitTransaction transaction, List<WorkflowDocument> definitions, List<SubmitRequest> requests) {
        return submissions().executionSubmitInTransaction(transaction, definitions, requests);
    }

    // ---- MaintenanceStore ----

    @Override
    default RescueResult executionRescue(int maxDeaths, int limit, LeaderFence leader) {
        return maintenance().executionRescue(maxDeaths, limit, leader);
    }

    @Override
    default int executionPrune(Duration retention, int limit, LeaderFence leader) {
        return maintenance().executionPrune(retention, limit, leader);
    }

    @Override
    default List<FailedExecution> executionFailedAfter(
            FailedExecution after, Duration lookback, Duration settle, int limit) {
        return maintenance().executionFailedAfter(after, lookback, settle, limit);
    }

    @Override
    default List<QueueStats> queueStats(long cap, boolean finishedTotals) {
        return maintenance().queueStats(cap, finishedTotals);
    }

    @Override
    default List<QueueStats> queueOverview(long cap) {
        return maintenance().queueOverview(cap);
    }

    @Override
    default boolean leaderAttemptElect(String name, String holder, Duration ttl) {
        return maintenance().leaderAttemptElect(name, holder, ttl);
    }

    @Override
    default void leaderResign(String name, String holder) {
        maintenance().leaderResign(name, holder);
    }

    @Override
    default Optional<String> leaderGet(String name) {
        return maintenance().leaderGet(name);
    }

    @Override
    default void workerRegister(WorkerInfo worker) {
        maintenance().workerRegister(worker);
    }

    @Override
    default void workerDeregister(String workerId) {
        maintenance().workerDeregister(workerId);
    }

    @Override
    default List<WorkerInfo> workerList(Duration within) {
        return maintenance().workerList(within);
    }

    // ---- InspectionStore ----

    @Override
    default Optional<ExecutionView> executionGet(long id) {
        return inspection().executionGet(id);
    }

    @Override
    default List<ExecutionView> executionList(ExecutionFilter filter) {
        return inspection().executionList(filter);
    }

    @Override
    default List<NodeResult> nodeResultList(long executionId) {
        return inspection().nodeResultList(executionId);
    }

    @Override
    default List<HistoryEntry> historyList(long executionId) {
        return inspection().historyList(executionId);
    }

    @Override
    default long executionCountAhead(long id, int cap) {
        return inspection().executionCountAhead(id, cap);
    }

    @Override
    default ExecutionPage executionPage(ExecutionQuery query) {
        return inspection().executionPage(query);
    }

    @Override
    default Optional<ExecutionView> executionGetByKey(String idempotencyKey) {
        return inspection().executionGetByKey(idempotencyKey);
    }

    @Override
    default Map<String, ExecutionView> executionGetByKeys(java.util.Collection<String> idempotencyKeys) {
        return inspection().executionGetByKeys(idempotencyKeys);
    }

    @Override
    default Map<String, Long> queueFailedRecently(Duration window, long cap) {
        return inspection().queueFailedRecently(window, cap);
    }

    @Override
    default List<ThroughputBucket> queueThroughput(int minutes, long capPerMinute) {
        return inspection().queueThroughput(minutes, capPerMinute);
    }

    @Override
    default List<WorkflowSummary> workflowList(String afterName, String afterHash, int limit) {
        return inspection().workflowList(afterName, afterHash, limit);
    }

    @Override
    default java.time.Instant databaseNow() {
        return inspection().databaseNow();
    }

    @Override
    default List<String> queuePausedList() {
        return inspection().queuePausedList();
    }

    @Override
    default List<KnownQueue> queueList() {
        return inspection().queueList();
    }

    @Override
    default long queueRunning(String queue) {
        return inspection().queueRunning(queue);
    }

    @Override
    default Optional<SignalView> signalGet(long executionId, String name) {
        return inspection().signalGet(executionId, name);
    }

    @Override
    default List<SignalView> signalList(long executionId) {
        return inspection().signalList(executionId);
    }

    // ---- OperatorStore ----

    @Override
    default CancelResult executionCancel(long id, String reason, String by) {
        return operator().executionCancel(id, reason, by);
    }

    @Override
    default RetryResult executionRetry(long id, boolean fromScratch, String by) {
        return operator().executionRetry(id, fromScratch, by);
    }

    @Override
    default void queuePause(String queue, boolean paused) {
        operator().queuePause(queue, paused);
    }

    @Override
    default boolean queueCreate(String queue) {
        return operator().queueCreate(queue);
    }

    @Override
    default void queueLimit(String queue, Integer maxRunning) {
        operator().queueLimit(queue, maxRunning);
    }

    @Override
    default SignalDelivery signalSend(long executionId, String name, String dataJson, String by) {
        return operator().signalSend(executionId, name, dataJson, by);
    }

    // ---- ScheduleStore ----

    @Override
    default boolean scheduleCreate(Schedule schedule) {
        return schedules().scheduleCreate(schedule);
    }

    @Override
    default void scheduleSave(Schedule schedule) {
        schedules().scheduleSave(schedule);
    }

    @Override
    default Optional<Schedule> scheduleGet(String name) {
        return schedules().scheduleGet(name);
    }

    @Override
    default List<Schedule> scheduleList() {
        return schedules().scheduleList();
    }

    @Override
    default boolean schedulePause(String name, boolean paused, java.time.Instant nextFireAt) {
        return schedules().schedulePause(name, paused, nextFireAt);
    }

    @Override
    default boolean scheduleDelete(String name) {
        return schedules().scheduleDelete(name);
    }

    @Override
    default ScheduleDue scheduleDue(java.time.Instant asOf, int limit) {
        return schedules().scheduleDue(asOf, limit);
    }

    @Override
    default ScheduleFire.Result scheduleFire(ScheduleFire fire) {
        return schedules().scheduleFire(fire);
    }

    /** Whether the schema is usable. */
    record SchemaStatus(int currentVersion, int expectedVersion) {
        public boolean upToDate() {
            return currentVersion == expectedVersion;
        }

        /**
         * Why the schema does not fit this build, and what to do: migrate an older one, upgrade
         * the worker for a newer one (another build migrated it, as in a rolling upgrade).
         */
        public String mismatch() {
            return currentVersion > expectedVersion
                    ? "schema version " + currentVersion + " is newer than this build's " + expectedVersion
                            + " (upgrade nebula-worker)"
                    : "migrations missing: schema version " + currentVersion + ", this build needs " + expectedVersion
                            + " (run `nebula-worker migrate`)";
        }
    }
}
