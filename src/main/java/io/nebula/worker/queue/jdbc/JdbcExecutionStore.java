package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completion;
import io.nebula.worker.queue.CompletionResult;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionPage;
import io.nebula.worker.queue.ExecutionQuery;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HeartbeatResult;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.Installation;
import io.nebula.worker.queue.KnownQueue;
import io.nebula.worker.queue.LeaseRef;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.RescueResult;
import io.nebula.worker.queue.RetryResult;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.ScheduleDue;
import io.nebula.worker.queue.ScheduleFire;
import io.nebula.worker.queue.SignalDelivery;
import io.nebula.worker.queue.SignalView;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.ThroughputBucket;
import io.nebula.worker.queue.WorkerInfo;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.WorkflowSummary;
import io.nebula.worker.queue.WorkflowVersion;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The store logic both dialects share. Each operation binds named parameters to the dialect's SQL
 * file of the same name and maps rows back; the subclasses supply connections ({@link Database}),
 * id reservation for submits, and wake-ups. This class keeps the schema, submits and the operator
 * actions that wake claimers; the hot path lives in {@link LeaseStatements}, maintenance and the
 * registry in {@link MaintenanceStatements}, reads in {@link InspectionStatements}.
 */
public abstract class JdbcExecutionStore implements ExecutionStore {

    private static final int STORED_WORKFLOWS_REMEMBERED = 10_000;

    protected final Database db;
    protected final StoreOptions options;
    private final Set<String> storedWorkflows = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Migrator migrator;
    private final LeaseStatements leases;
    private final InspectionStatements inspection;
    private final MaintenanceStatements maintenance;
    private final ExecutionPages pages;
    private final ScheduleStatements schedules;
    private final SignalStatements signals;

    protected JdbcExecutionStore(Database db, StoreOptions options) {
        this.db = db;
        this.options = options;
        this.migrator = new Migrator(db, options.schema());
        this.leases = new LeaseStatements(db, db.sql().dialect().equals("sqlite"));
        this.inspection = new InspectionStatements(db);
        this.maintenance = new MaintenanceStatements(db, inspection);
        this.pages = new ExecutionPages(db);
        this.schedules = new ScheduleStatements(db);
        this.signals = new SignalStatements(db);
    }

    /**
     * Inserts the executions of one submit (already validated and de-duplicated by key) and returns,
     * per request, its id and whether it was created.
     */
    protected abstract List<Submitted> insertExecutions(Session s, List<SubmitRequest> requests) throws SQLException;

    /** Wakes claimers of these queues once the current transaction commits. */
    protected abstract void announce(Session s, Set<String> queues) throws SQLException;

    /**
     * Whether {@link #insertExecutions} already wakes claimers in other processes, so a submit
     * needs no {@link #announce} and, being one statement, no transaction of its own.
     */
    protected boolean announcesOnInsert() {
        return false;
    }

    /** Called after a submit transaction committed (in-process wake-ups). */
    protected void afterCommit(Set<String> queues) {}

    // ---- schema ----------------------------------------------------------------------------

    @Override
    public void migrate() {
        migrator.migrate();
    }

    @Override
    public SchemaStatus schemaStatus() {
        return migrator.status();
    }

    @Override
    public Installation installation() {
        List<Row> rows = db.run("installation_get", Mode.READ, true, s -> s.query("installation_get", Params.of()));
        if (rows.isEmpty()) {
            throw new StoreException(
                    "the store has no installation id: its schema predates it (run `nebula-worker migrate`)");
        }
        return new Installation(rows.get(0).string("id"), rows.get(0).getLong("keys_from"));
    }

    // ---- definitions and submit -------------------------------------------------------------

    @Override
    public void workflowPut(WorkflowDocument document) {
        // Definitions are stored by content hash and never deleted, so one that this store has
        // stored (and committed) once needs no round trip again.
        if (storedWorkflows.contains(document.hash())) {
            return;
        }
        db.run("workflow_put", Mode.SINGLE, true, s -> putWorkflow(s, document));
        if (storedWorkflows.size() < STORED_WORKFLOWS_REMEMBERED) {
            storedWorkflows.add(document.hash());
        }
    }

    @Override
    public void workflowPutInTransaction(Connection connection, WorkflowDocument document) {
        try {
            putWorkflow(db.session(connection), document);
        } catch (SQLException e) {
            throw new StoreException("workflow_put failed: " + Database.describe(e), e);
        }
    }

    private static Void putWorkflow(Session s, WorkflowDocument d) throws SQLException {
        s.update(
                "workflow_put",
                Params.of("hash", d.hash()).set("name", d.name()).set("definition", d.definitionJson()));
        return null;
    }

    @Override
    public Optional<WorkflowDocument> workflowGet(String hash) {
        List<Row> rows = db.run("workflow_get", Mode.READ, true, s -> s.query("workflow_get", Params.of("hash", hash)));
        return rows.stream()
                .findFirst()
                .map(r -> new WorkflowDocument(r.string("hash"), r.string("name"), r.string("definition")));
    }

    @Override
    public WorkflowDeployed workflowDeploy(WorkflowDocument d) {
        return db.run("workflow_deploy", Mode.TRANSACTION, false, s -> {
            String previous = s.query("workflow_latest", Params.of("name", d.name())).stream()
                    .findFirst()
                    .map(r -> r.string("hash"))
                    .orElse(null);
            boolean known =
                    !s.query("workflow_get", Params.of("hash", d.hash())).isEmpty();
            Row r = s.query(
                            "workflow_deploy",
                            Params.of("hash", d.hash()).set("name", d.name()).set("definition", d.definitionJson()))
                    .get(0);
            return new WorkflowDeployed(version(r, 0), !known, previous);
        });
    }

    @Override
    public Optional<WorkflowDocument> workflowLatest(String name) {
        return db
                .run("workflow_latest", Mode.READ, true, s -> s.query("workflow_latest", Params.of("name", name)))
                .stream()
                .findFirst()
                .map(JdbcExecutionStore::document);
    }

    @Override
    public List<WorkflowDocument> workflowFind(String name, String hashPrefix) {
        Params p = Params.of("name", name).set("prefix", hashPrefix);
        return db.run("workflow_find", Mode.READ, true, s -> s.query("workflow_find", p)).stream()
                .map(JdbcExecutionStore::document)
                .toList();
    }

    @Override
    public List<WorkflowVersion> workflowVersions(String name) {
        return db
                .run("workflow_versions", Mode.READ, true, s -> s.query("workflow_versions", Params.of("name", name)))
                .stream()
                .map(r -> version(r, 0))
                .toList();
    }

    @Override
    public List<WorkflowVersion> workflowNames() {
        return db.run("workflow_names", Mode.READ, true, s -> s.query("workflow_names", Params.of())).stream()
                .map(r -> version(r, r.getInt("versions")))
                .toList();
    }

    private static WorkflowDocument document(Row r) {
        return new WorkflowDocument(r.string("hash"), r.string("name"), r.string("definition"));
    }

    private static WorkflowVersion version(Row r, int versions) {
        return new WorkflowVersion(
                r.string("name"), r.string("hash"), r.instant("created_at"), r.instant("deployed_at"), versions);
    }

    @Override
    public List<Submitted> executionSubmitMany(List<SubmitRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        validate(requests);
        Set<String> queues = queuesOf(requests);
        Mode mode = announcesOnInsert() ? Mode.SINGLE : Mode.TRANSACTION;
        List<Submitted> result = db.run("execution_submit", mode, false, s -> submit(s, requests, queues));
        if (result.stream().anyMatch(Submitted::created)) {
            afterCommit(queues);
        }
        return result;
    }

    @Override
    public List<Submitted> executionSubmitInTransaction(Connection connection, List<SubmitRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        validate(requests);
        Set<String> queues = queuesOf(requests);
        try {
            return submit(db.session(connection), requests, queues);
        } catch (SQLException e) {
            throw new StoreException("execution_submit failed: " + Database.describe(e), e);
        }
    }

    private void validate(List<SubmitRequest> requests) {
        for (int i = 0; i < requests.size(); i++) {
            String what = requests.size() == 1 ? "submit" : "submit #" + (i + 1);
            SubmitRequest r = requests.get(i);
            InputGuard.checkQueue(r.queue(), what);
            if (r.checkedInput() != null) {
                InputGuard.checkSize(r.inputJson(), options.maxInputBytes(), what);
            } else {
                InputGuard.check(r.inputJson(), options.maxInputBytes(), what);
            }
        }
    }

    private static Set<String> queuesOf(List<SubmitRequest> requests) {
        Set<String> queues = new LinkedHashSet<>();
        for (SubmitRequest r : requests) {
            queues.add(r.queue());
        }
        return queues;
    }

    /** Inserts, answering repeated idempotency keys inside the batch from their first occurrence. */
    private List<Submitted> submit(Session s, List<SubmitRequest> requests, Set<String> queues) throws SQLException {
        Map<String, Integer> firstByKey = new HashMap<>();
        List<SubmitRequest> unique = new ArrayList<>();
        int[] slot = new int[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            String key = requests.get(i).idempotencyKey();
            Integer first = key == null ? null : firstByKey.get(key);
            if (first != null) {
                slot[i] = -1 - first;
            } else {
                if (key != null) {
                    firstByKey.put(key, unique.size());
                }
                slot[i] = unique.size();
                unique.add(requests.get(i));
            }
        }
        List<Submitted> inserted = insertExecutions(s, unique);
        if (!announcesOnInsert() && inserted.stream().anyMatch(Submitted::created)) {
            announce(s, queues);
        }
        List<Submitted> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            if (slot[i] >= 0) {
                out.add(inserted.get(slot[i]));
            } else {
                out.add(new Submitted(inserted.get(-1 - slot[i]).executionId(), false));
            }
        }
        return out;
    }

    /** The array parameters of a submit, shared by both dialects' SQL. */
    protected static Params submitParams(List<SubmitRequest> requests) {
        int n = requests.size();
        List<String> queues = new ArrayList<>(n);
        List<String> hashes = new ArrayList<>(n);
        List<String> names = new ArrayList<>(n);
        List<String> inputs = new ArrayList<>(n);
        List<Integer> priorities = new ArrayList<>(n);
        List<Long> delays = new ArrayList<>(n);
        List<Long> runAts = new ArrayList<>(n);
        List<Integer> maxAttempts = new ArrayList<>(n);
        List<String> keys = new ArrayList<>(n);
        List<String> traceparents = new ArrayList<>(n);
        for (SubmitRequest r : requests) {
            queues.add(r.queue());
            hashes.add(r.workflowHash());
            names.add(r.workflowName());
            inputs.add(r.inputJson());
            priorities.add(r.priority());
            delays.add(r.delay() == null ? null : r.delay().toMillis());
            runAts.add(r.runAt() == null ? null : r.runAt().toEpochMilli());
            maxAttempts.add(r.maxAttempts());
            keys.add(r.idempotencyKey());
            traceparents.add(r.traceparent());
        }
        return Params.of("queues", SqlArray.ofStrings(queues))
                .set("hashes", SqlArray.ofStrings(hashes))
                .set("names", SqlArray.ofStrings(names))
                .set("inputs", SqlArray.ofStrings(inputs))
                .set("priorities", SqlArray.ofInts(priorities))
                .set("delays_ms", SqlArray.ofLongs(delays))
                .set("run_ats_ms", SqlArray.ofLongs(runAts))
                .set("max_attempts", SqlArray.ofInts(maxAttempts))
                .set("keys", SqlArray.ofStrings(keys))
                .set("traceparents", SqlArray.ofStrings(traceparents));
    }

    /** Maps the rows of execution_submit (ord from 0, id, created) back to request order. */
    protected static List<Submitted> submitted(List<Row> rows, int n) {
        Submitted[] out = new Submitted[n];
        for (Row r : rows) {
            out[r.getInt("ord")] = new Submitted(r.getLong("id"), r.bool("created"));
        }
        for (int i = 0; i < n; i++) {
            if (out[i] == null) {
                throw new StoreException("execution_submit returned no id for request #" + (i + 1));
            }
        }
        return Arrays.asList(out);
    }

    // ---- the hot path ------------------------------------------------------------------------

    @Override
    public List<ClaimedExecution> executionClaim(ClaimRequest request) {
        return leases.executionClaim(request);
    }

    @Override
    public Map<Long, List<NodeResult>> nodeResultsLoad(List<Long> executionIds) {
        return leases.nodeResultsLoad(executionIds);
    }

    @Override
    public HeartbeatResult leaseHeartbeat(
            String workerId, List<LeaseRef> leases, Duration visibilityTimeout, int active) {
        return this.leases.leaseHeartbeat(workerId, leases, visibilityTimeout, active);
    }

    @Override
    public List<Boolean> nodeCheckpointMany(List<Checkpoint> checkpoints) {
        return leases.nodeCheckpointMany(checkpoints);
    }

    @Override
    public List<CompletionResult> executionCompleteMany(List<Completion> completions) {
        return leases.executionCompleteMany(completions);
    }

    // ---- maintenance -------------------------------------------------------------------------

    @Override
    public RescueResult executionRescue(int maxDeaths, int limit, LeaderFence leader) {
        return maintenance.executionRescue(maxDeaths, limit, leader);
    }

    @Override
    public int executionPrune(Duration retention, int limit, LeaderFence leader) {
        return maintenance.executionPrune(retention, limit, leader);
    }

    @Override
    public List<QueueStats> queueStats(long cap, boolean finishedTotals) {
        return maintenance.queueStats(cap, finishedTotals);
    }

    @Override
    public List<QueueStats> queueOverview(long cap) {
        return maintenance.queueStats("queue_overview_active", cap, false);
    }

    @Override
    public boolean leaderAttemptElect(String name, String holder, Duration ttl) {
        return maintenance.leaderAttemptElect(name, holder, ttl);
    }

    @Override
    public void leaderResign(String name, String holder) {
        maintenance.leaderResign(name, holder);
    }

    @Override
    public Optional<String> leaderGet(String name) {
        return maintenance.leaderGet(name);
    }

    // ---- registry ------------------------------------------------------------------------------

    @Override
    public void workerRegister(WorkerInfo worker) {
        maintenance.workerRegister(worker);
    }

    @Override
    public void workerDeregister(String workerId) {
        maintenance.workerDeregister(workerId);
    }

    @Override
    public List<WorkerInfo> workerList(Duration within) {
        return maintenance.workerList(within);
    }

    // ---- operator actions ------------------------------------------------------------------------

    @Override
    public CancelResult executionCancel(long id, String reason, String by) {
        return inspection.executionCancel(id, reason, by);
    }

    @Override
    public RetryResult executionRetry(long id, boolean fromScratch, String by) {
        Set<String> queues = new HashSet<>();
        RetryResult result = db.run("execution_retry", Mode.TRANSACTION, false, s -> {
            List<Row> rows = s.query("execution_lock", Params.of("id", id));
            if (rows.isEmpty()) {
                return RetryResult.NOT_FOUND;
            }
            ExecutionState st = ExecutionState.parse(rows.get(0).string("state"));
            if (st != ExecutionState.FAILED && st != ExecutionState.CANCELLED) {
                return RetryResult.NOT_RETRYABLE;
            }
            s.update("node_results_clear", Params.of("id", id).set("all", fromScratch));
            s.update("signal_waits_reset", Params.of("id", id));
            String note = fromScratch
                    ? "retried from scratch by an operator"
                    : "retried by an operator; succeeded nodes are kept";
            InspectionStatements.attribute(
                    s, s.update("execution_retry", Params.of("id", id).set("note", note)), id, by);
            ExecutionView v =
                    Records.view(s.query("execution_get", Params.of("id", id)).get(0));
            queues.add(v.queue());
            announce(s, queues);
            return RetryResult.REQUEUED;
        });
        if (result == RetryResult.REQUEUED) {
            afterCommit(queues);
        }
        return result;
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        db.run(
                "queue_pause",
                Mode.SINGLE,
                true,
                s -> s.update("queue_pause", Params.of("name", queue).set("paused", paused)));
        if (!paused) {
            afterCommit(Set.of(queue));
        }
    }

    @Override
    public List<String> queuePausedList() {
        return inspection.queuePausedList();
    }

    @Override
    public List<KnownQueue> queueList() {
        List<Row> rows = db.run("queue_list", Mode.READ, true, s -> s.query("queue_list", Params.of()));
        return rows.stream()
                .map(r -> new KnownQueue(r.string("name"), r.bool("paused")))
                .toList();
    }

    @Override
    public boolean queueCreate(String queue) {
        return !db.run("queue_create", Mode.SINGLE, true, s -> s.query("queue_create", Params.of("name", queue)))
                .isEmpty();
    }

    // ---- signals ---------------------------------------------------------------------------------

    @Override
    public SignalDelivery signalSend(long executionId, String name, String dataJson) {
        InputGuard.check(dataJson, options.maxInputBytes(), "signal data");
        Set<String> queues = new HashSet<>();
        SignalDelivery d = signals.signalSend(executionId, name, dataJson, (s, queue) -> {
            queues.add(queue);
            announce(s, Set.of(queue));
        });
        if (d.woke()) {
            afterCommit(queues);
        }
        return d;
    }

    @Override
    public Optional<SignalView> signalGet(long executionId, String name) {
        return signals.signalGet(executionId, name);
    }

    @Override
    public List<SignalView> signalList(long executionId) {
        return signals.signalList(executionId);
    }

    // ---- schedules -------------------------------------------------------------------------------

    @Override
    public boolean scheduleCreate(Schedule schedule) {
        InputGuard.check(schedule.inputJson(), options.maxInputBytes(), "schedule input");
        return schedules.scheduleCreate(schedule);
    }

    @Override
    public void scheduleSave(Schedule schedule) {
        InputGuard.check(schedule.inputJson(), options.maxInputBytes(), "schedule input");
        schedules.scheduleSave(schedule);
    }

    @Override
    public Optional<Schedule> scheduleGet(String name) {
        return schedules.scheduleGet(name);
    }

    @Override
    public List<Schedule> scheduleList() {
        return schedules.scheduleList();
    }

    @Override
    public boolean schedulePause(String name, boolean paused, Instant nextFireAt) {
        return schedules.schedulePause(name, paused, nextFireAt);
    }

    @Override
    public boolean scheduleDelete(String name) {
        return schedules.scheduleDelete(name);
    }

    @Override
    public ScheduleDue scheduleDue(Instant asOf, int limit) {
        return schedules.scheduleDue(asOf, limit);
    }

    @Override
    public ScheduleFire.Result scheduleFire(ScheduleFire fire) {
        Set<String> queues = new HashSet<>();
        ScheduleFire.Result r = schedules.scheduleFire(fire, (s, requests) -> {
            List<Submitted> out = insertExecutions(s, requests);
            if (out.stream().anyMatch(Submitted::created)) {
                requests.forEach(q -> queues.add(q.queue()));
                if (!announcesOnInsert()) {
                    announce(s, queues);
                }
            }
            return out;
        });
        if (!queues.isEmpty()) {
            afterCommit(queues);
        }
        return r;
    }

    // ---- inspection ------------------------------------------------------------------------------

    @Override
    public Optional<ExecutionView> executionGet(long id) {
        return inspection.executionGet(id);
    }

    @Override
    public List<ExecutionView> executionList(ExecutionFilter filter) {
        return inspection.executionList(filter);
    }

    @Override
    public List<NodeResult> nodeResultList(long executionId) {
        return inspection.nodeResultList(executionId);
    }

    @Override
    public List<HistoryEntry> historyList(long executionId) {
        return inspection.historyList(executionId);
    }

    @Override
    public ExecutionPage executionPage(ExecutionQuery query) {
        return pages.page(query);
    }

    @Override
    public Optional<ExecutionView> executionGetByKey(String idempotencyKey) {
        return inspection.executionGetByKey(idempotencyKey);
    }

    @Override
    public Map<String, Long> queueFailedRecently(Duration window, long cap) {
        return inspection.queueFailedRecently(window, cap);
    }

    @Override
    public List<ThroughputBucket> queueThroughput(int minutes, long capPerMinute) {
        return inspection.queueThroughput(minutes, capPerMinute);
    }

    @Override
    public List<WorkflowSummary> workflowList(String afterName, String afterHash, int limit) {
        return inspection.workflowList(afterName, afterHash, limit);
    }

    @Override
    public long executionCountAhead(long id, int cap) {
        return inspection.executionCountAhead(id, cap);
    }

    @Override
    public Instant databaseNow() {
        return inspection.databaseNow();
    }

    @Override
    public void close() {
        db.close();
    }
}
