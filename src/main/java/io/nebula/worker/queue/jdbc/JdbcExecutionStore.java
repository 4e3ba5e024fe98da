package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completion;
import io.nebula.worker.queue.CompletionResult;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HeartbeatResult;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.LeaseRef;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.RescueResult;
import io.nebula.worker.queue.RetryResult;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.WorkerInfo;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The store logic both dialects share. Each operation binds named parameters to the dialect's SQL
 * file of the same name and maps rows back; the subclasses supply connections ({@link Database}),
 * id reservation for submits, and wake-ups.
 */
public abstract class JdbcExecutionStore implements ExecutionStore {
    /** Version of the newest migration this build ships. */
    public static final int SCHEMA_VERSION = 1;

    protected final Database db;
    protected final StoreOptions options;
    private final Migrator migrator;

    protected JdbcExecutionStore(Database db, StoreOptions options) {
        this.db = db;
        this.options = options;
        this.migrator = new Migrator(db, options.schema());
    }

    /**
     * Inserts the executions of one submit (already validated and de-duplicated by key) and returns,
     * per request, its id and whether it was created.
     */
    protected abstract List<Submitted> insertExecutions(Session s, List<SubmitRequest> requests) throws SQLException;

    /** Wakes claimers of these queues once the current transaction commits. */
    protected abstract void announce(Session s, Set<String> queues) throws SQLException;

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

    // ---- definitions and submit -------------------------------------------------------------

    @Override
    public void workflowPut(WorkflowDocument document) {
        db.run("workflow_put", Mode.SINGLE, true, s -> putWorkflow(s, document));
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
    public List<Submitted> executionSubmitMany(List<SubmitRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        validate(requests);
        Set<String> queues = queuesOf(requests);
        List<Submitted> result = db.run("execution_submit", Mode.TRANSACTION, false, s -> submit(s, requests, queues));
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
            InputGuard.check(requests.get(i).inputJson(), options.maxInputBytes(), what);
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
        if (inserted.stream().anyMatch(Submitted::created)) {
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
        }
        return Params.of("queues", SqlArray.ofStrings(queues))
                .set("hashes", SqlArray.ofStrings(hashes))
                .set("names", SqlArray.ofStrings(names))
                .set("inputs", SqlArray.ofStrings(inputs))
                .set("priorities", SqlArray.ofInts(priorities))
                .set("delays_ms", SqlArray.ofLongs(delays))
                .set("run_ats_ms", SqlArray.ofLongs(runAts))
                .set("max_attempts", SqlArray.ofInts(maxAttempts))
                .set("keys", SqlArray.ofStrings(keys));
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
        if (request.limit() == 0 || request.queues().isEmpty()) {
            return List.of();
        }
        Params p = Params.of("worker_id", request.workerId())
                .set("queues", SqlArray.ofStrings(request.queues()))
                .set("limit", request.limit())
                .set("visibility_ms", request.visibilityTimeout().toMillis());
        // Not retried on a lost connection: the claim may have committed, and its rows would then
        // be held by nobody we know of until the lease expires and the rescuer returns them.
        List<Row> rows = db.run("execution_claim", Mode.SINGLE, false, s -> s.query("execution_claim", p));
        List<ClaimedExecution> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new ClaimedExecution(
                    r.getLong("id"),
                    r.string("queue"),
                    r.string("workflow_hash"),
                    r.string("workflow_name"),
                    r.string("input"),
                    r.getInt("attempt"),
                    r.getInt("max_attempts"),
                    r.getLong("lease_epoch"),
                    r.bool("resumable"),
                    r.bool("cancel_requested"),
                    r.instant("created_at"),
                    r.instant("due_at"),
                    r.instant("claimed_at")));
        }
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    @Override
    public Map<Long, List<NodeResult>> nodeResultsLoad(List<Long> executionIds) {
        if (executionIds.isEmpty()) {
            return Map.of();
        }
        List<Row> rows = db.run(
                "node_results_load",
                Mode.READ,
                true,
                s -> s.query("node_results_load", Params.of("ids", SqlArray.ofLongs(executionIds))));
        Map<Long, List<NodeResult>> out = new HashMap<>();
        for (Row r : rows) {
            out.computeIfAbsent(r.getLong("execution_id"), k -> new ArrayList<>())
                    .add(nodeResult(r));
        }
        return out;
    }

    private static NodeResult nodeResult(Row r) {
        return new NodeResult(
                r.string("node_id"),
                NodeStatus.parse(r.string("status")),
                r.string("output"),
                r.string("error"),
                r.getInt("attempt"),
                r.instant("started_at"),
                r.instant("finished_at"));
    }

    @Override
    public HeartbeatResult leaseHeartbeat(
            String workerId, List<LeaseRef> leases, Duration visibilityTimeout, int active) {
        List<Long> ids = new ArrayList<>(leases.size());
        List<Long> epochs = new ArrayList<>(leases.size());
        for (LeaseRef l : leases) {
            ids.add(l.executionId());
            epochs.add(l.leaseEpoch());
        }
        Params p = Params.of("ids", SqlArray.ofLongs(ids))
                .set("epochs", SqlArray.ofLongs(epochs))
                .set("visibility_ms", visibilityTimeout.toMillis())
                .set("worker_id", workerId)
                .set("active", active)
                .zip("rows", "ids", "epochs");
        Mode mode = "sqlite".equals(dialect()) ? Mode.TRANSACTION : Mode.HEARTBEAT;
        List<Row> rows = db.run("lease_heartbeat", mode, true, s -> s.query("lease_heartbeat", p));
        Set<Long> extended = new HashSet<>();
        Set<Long> cancel = new HashSet<>();
        for (Row r : rows) {
            extended.add(r.getLong("id"));
            if (r.bool("cancel_requested")) {
                cancel.add(r.getLong("id"));
            }
        }
        return new HeartbeatResult(extended, cancel);
    }

    @Override
    public List<Boolean> nodeCheckpointMany(List<Checkpoint> checkpoints) {
        if (checkpoints.isEmpty()) {
            return List.of();
        }
        Set<String> fenced = db.run("node_checkpoint", Mode.TRANSACTION, true, s -> checkpoint(s, checkpoints));
        List<Boolean> out = new ArrayList<>(checkpoints.size());
        for (Checkpoint c : checkpoints) {
            out.add(fenced.contains(c.lease().executionId() + "/" + c.result().nodeId()));
        }
        return out;
    }

    private static Set<String> checkpoint(Session s, List<Checkpoint> checkpoints) throws SQLException {
        Set<String> fenced = new HashSet<>();
        for (Row r : s.query("node_checkpoint", nodeParams(Params.of(), checkpoints))) {
            fenced.add(r.getLong("execution_id") + "/" + r.string("node_id"));
        }
        return fenced;
    }

    /**
     * Adds the parameters describing node results, one array per field ({@code node_execution_ids},
     * {@code node_epochs}, {@code node_ids}, ...) and the same zipped as {@code node_rows}.
     */
    private static Params nodeParams(Params p, List<Checkpoint> nodes) {
        int n = nodes.size();
        List<Long> ids = new ArrayList<>(n);
        List<Long> epochs = new ArrayList<>(n);
        List<String> nodeIds = new ArrayList<>(n);
        List<String> statuses = new ArrayList<>(n);
        List<String> outputs = new ArrayList<>(n);
        List<String> errors = new ArrayList<>(n);
        List<Integer> attempts = new ArrayList<>(n);
        List<Long> started = new ArrayList<>(n);
        List<Long> finished = new ArrayList<>(n);
        for (Checkpoint c : nodes) {
            NodeResult r = c.result();
            ids.add(c.lease().executionId());
            epochs.add(c.lease().leaseEpoch());
            nodeIds.add(r.nodeId());
            statuses.add(r.status().dbName());
            outputs.add(r.outputJson());
            errors.add(r.error());
            attempts.add(r.attempt());
            started.add(r.startedAt() == null ? null : r.startedAt().toEpochMilli());
            finished.add(r.finishedAt() == null ? null : r.finishedAt().toEpochMilli());
        }
        return p.set("node_execution_ids", SqlArray.ofLongs(ids))
                .set("node_epochs", SqlArray.ofLongs(epochs))
                .set("node_ids", SqlArray.ofStrings(nodeIds))
                .set("node_statuses", SqlArray.ofStrings(statuses))
                .set("node_outputs", SqlArray.ofStrings(outputs))
                .set("node_errors", SqlArray.ofStrings(errors))
                .set("node_attempts", SqlArray.ofInts(attempts))
                .set("node_started_ms", SqlArray.ofLongs(started))
                .set("node_finished_ms", SqlArray.ofLongs(finished))
                .zip(
                        "node_rows",
                        "node_execution_ids",
                        "node_epochs",
                        "node_ids",
                        "node_statuses",
                        "node_outputs",
                        "node_errors",
                        "node_attempts",
                        "node_started_ms",
                        "node_finished_ms");
    }

    @Override
    public List<CompletionResult> executionCompleteMany(List<Completion> completions) {
        if (completions.isEmpty()) {
            return List.of();
        }
        // One statement per kind of completion; a batch of one kind (the common case) is a single
        // statement in auto-commit mode, several kinds share one transaction.
        long kinds = completions.stream().map(Object::getClass).distinct().count();
        Mode mode = kinds == 1 ? Mode.SINGLE : Mode.TRANSACTION;
        Map<Long, ExecutionState> applied = db.run("execution_complete", mode, true, s -> complete(s, completions));
        List<Completion> unmatched = completions.stream()
                .filter(c -> !applied.containsKey(c.lease().executionId()))
                .toList();
        if (!unmatched.isEmpty()) {
            applied.putAll(alreadyRecorded(unmatched));
        }
        List<CompletionResult> out = new ArrayList<>(completions.size());
        for (Completion c : completions) {
            ExecutionState st = applied.get(c.lease().executionId());
            out.add(st == null ? CompletionResult.lost(c.lease()) : new CompletionResult(c.lease(), true, st));
        }
        return out;
    }

    /**
     * Of completions that matched no running row, those whose attempt the history shows ended the
     * way they ask. A connection that breaks while a completion commits leaves the caller unsure,
     * and the write is sent again (the work is idempotent); the resend finds the row no longer
     * running. Only the holder of a lease writes these events for it, so a matching event is this
     * completion's own first try, and reporting it lost would misreport a recorded outcome.
     */
    private Map<Long, ExecutionState> alreadyRecorded(List<Completion> unmatched) {
        Params p = leaseParams(unmatched).zip("rows", "ids", "epochs");
        List<Row> rows = db.run("completion_recorded", Mode.READ, true, s -> s.query("completion_recorded", p));
        Map<Long, ExecutionState> out = new HashMap<>();
        for (Completion c : unmatched) {
            Set<String> events = switch (c) {
                case Completion.Succeed x -> Set.of("succeeded", "cancelled");
                case Completion.Fail x -> Set.of("failed", "retry_scheduled", "cancelled");
                case Completion.Release x -> Set.of("released", "waiting", "cancelled");
                case Completion.Cancel x -> Set.of("cancelled");
            };
            for (Row r : rows) {
                if (r.getLong("id") == c.lease().executionId()
                        && r.getLong("epoch") == c.lease().leaseEpoch()
                        && events.contains(r.string("event"))) {
                    out.put(c.lease().executionId(), ExecutionState.parse(r.string("state")));
                }
            }
        }
        return out;
    }

    private static Map<Long, ExecutionState> complete(Session s, List<Completion> completions) throws SQLException {
        List<Completion.Succeed> succeed = new ArrayList<>();
        List<Completion.Fail> fail = new ArrayList<>();
        List<Completion.Release> release = new ArrayList<>();
        List<Completion.Cancel> cancel = new ArrayList<>();
        for (Completion c : completions) {
            switch (c) {
                case Completion.Succeed x -> succeed.add(x);
                case Completion.Fail x -> fail.add(x);
                case Completion.Release x -> release.add(x);
                case Completion.Cancel x -> cancel.add(x);
            }
        }
        Map<Long, ExecutionState> applied = new HashMap<>();
        if (!succeed.isEmpty()) {
            Params p = completionParams(succeed)
                    .set(
                            "outputs",
                            SqlArray.ofStrings(succeed.stream()
                                    .map(Completion.Succeed::outputJson)
                                    .toList()))
                    .zip("rows", "ids", "epochs", "outputs");
            collect(s.query("execution_succeed", p), applied);
        }
        if (!fail.isEmpty()) {
            Params p = completionParams(fail)
                    .set(
                            "errors",
                            SqlArray.ofStrings(
                                    fail.stream().map(Completion.Fail::error).toList()))
                    .set(
                            "retryable",
                            SqlArray.ofBooleans(fail.stream()
                                    .map(Completion.Fail::retryable)
                                    .toList()))
                    .set(
                            "delays_ms",
                            SqlArray.ofLongs(fail.stream()
                                    .map(f -> f.retryDelay().toMillis())
                                    .toList()))
                    .zip("rows", "ids", "epochs", "errors", "retryable", "delays_ms");
            collect(s.query("execution_fail", p), applied);
        }
        if (!release.isEmpty()) {
            Params p = completionParams(release)
                    .set(
                            "reasons",
                            SqlArray.ofStrings(release.stream()
                                    .map(Completion.Release::reason)
                                    .toList()))
                    .set(
                            "delays_ms",
                            SqlArray.ofLongs(release.stream()
                                    .map(r -> r.delay().toMillis())
                                    .toList()))
                    .zip("rows", "ids", "epochs", "reasons", "delays_ms");
            collect(s.query("execution_release", p), applied);
        }
        if (!cancel.isEmpty()) {
            Params p = completionParams(cancel)
                    .set(
                            "reasons",
                            SqlArray.ofStrings(cancel.stream()
                                    .map(Completion.Cancel::reason)
                                    .toList()))
                    .zip("rows", "ids", "epochs", "reasons");
            collect(s.query("execution_cancel_ack", p), applied);
        }
        return applied;
    }

    /**
     * The lease arrays of some completions plus their node results, which each completion
     * statement writes in the same statement, fenced by the same lease.
     */
    private static Params completionParams(List<? extends Completion> cs) {
        List<Checkpoint> nodes = new ArrayList<>();
        for (Completion c : cs) {
            for (NodeResult r : c.nodes()) {
                nodes.add(new Checkpoint(c.lease(), r));
            }
        }
        return nodeParams(leaseParams(cs), nodes);
    }

    private static Params leaseParams(List<? extends Completion> cs) {
        return Params.of(
                        "ids",
                        SqlArray.ofLongs(
                                cs.stream().map(c -> c.lease().executionId()).toList()))
                .set(
                        "epochs",
                        SqlArray.ofLongs(
                                cs.stream().map(c -> c.lease().leaseEpoch()).toList()));
    }

    private static void collect(List<Row> rows, Map<Long, ExecutionState> applied) {
        for (Row r : rows) {
            applied.put(r.getLong("id"), ExecutionState.parse(r.string("state")));
        }
    }

    // ---- maintenance -------------------------------------------------------------------------

    @Override
    public RescueResult executionRescue(int maxDeaths, int limit) {
        Params p = Params.of("max_deaths", maxDeaths).set("limit", limit);
        List<Row> rows = db.run("execution_rescue", Mode.TRANSACTION, true, s -> s.query("execution_rescue", p));
        int requeued = 0;
        int failed = 0;
        int quarantined = 0;
        int cancelled = 0;
        for (Row r : rows) {
            String event = r.string("last_event");
            switch (ExecutionState.parse(r.string("state"))) {
                case AVAILABLE -> requeued++;
                case CANCELLED -> cancelled++;
                case FAILED -> {
                    if ("quarantined".equals(event)) {
                        quarantined++;
                    } else {
                        failed++;
                    }
                }
                default -> throw new StoreException("execution_rescue left a row in state " + r.string("state"));
            }
        }
        return new RescueResult(requeued, failed, quarantined, cancelled);
    }

    @Override
    public int executionPrune(Duration retention, int limit) {
        Params p = Params.of("retention_ms", retention.toMillis()).set("limit", limit);
        return db.run("execution_prune", Mode.TRANSACTION, true, s -> s.update("execution_prune", p));
    }

    @Override
    public List<QueueStats> queueStats(long cap, boolean finishedTotals) {
        record Raw(List<Row> active, List<Row> finished, List<String> paused) {}
        Raw raw = db.run(
                "queue_stats",
                Mode.READ,
                true,
                s -> new Raw(
                        s.query("queue_stats_active", Params.of("cap", cap)),
                        s.query("queue_stats_finished", Params.of("cap", cap).set("totals", finishedTotals)),
                        s.query("queue_paused_list", Params.of()).stream()
                                .map(r -> r.string("name"))
                                .toList()));
        Map<String, Map<ExecutionState, Long>> counts = new TreeMap<>();
        Map<String, Long> due = new HashMap<>();
        Map<String, Instant> oldest = new HashMap<>();
        Map<String, Long> lastMinute = new HashMap<>();
        Instant now = null;
        long activeRows = 0;
        long finishedRows = 0;
        for (Row r : raw.active()) {
            String q = r.string("queue");
            ExecutionState st = ExecutionState.parse(r.string("state"));
            counts.computeIfAbsent(q, k -> new EnumMap<>(ExecutionState.class)).put(st, r.getLong("n"));
            activeRows += r.getLong("n");
            due.merge(q, r.getLong("due"), Long::sum);
            Instant o = r.instant("oldest_due");
            if (o != null) {
                oldest.merge(q, o, (a, b) -> a.isBefore(b) ? a : b);
            }
            now = r.instant("computed_at");
        }
        for (Row r : raw.finished()) {
            String q = r.string("queue");
            ExecutionState st = ExecutionState.parse(r.string("state"));
            counts.computeIfAbsent(q, k -> new EnumMap<>(ExecutionState.class)).put(st, r.getLong("n"));
            finishedRows += r.getLong("n");
            lastMinute.merge(q, r.getLong("last_minute"), Long::sum);
        }
        for (String q : raw.paused()) {
            counts.computeIfAbsent(q, k -> new EnumMap<>(ExecutionState.class));
        }
        if (now == null) {
            now = databaseNow();
        }
        boolean capped = activeRows >= cap || finishedRows >= cap;
        List<QueueStats> out = new ArrayList<>();
        for (Map.Entry<String, Map<ExecutionState, Long>> e : counts.entrySet()) {
            String q = e.getKey();
            Instant o = oldest.get(q);
            Duration age = o == null || o.isAfter(now) ? Duration.ZERO : Duration.between(o, now);
            out.add(new QueueStats(
                    q,
                    e.getValue(),
                    due.getOrDefault(q, 0L),
                    age,
                    lastMinute.getOrDefault(q, 0L),
                    capped,
                    raw.paused().contains(q),
                    now));
        }
        return out;
    }

    @Override
    public boolean leaderAttemptElect(String name, String holder, Duration ttl) {
        Params p = Params.of("name", name).set("holder", holder).set("ttl_ms", ttl.toMillis());
        List<Row> rows = db.run("leader_elect", Mode.SINGLE, true, s -> s.query("leader_elect", p));
        return !rows.isEmpty() && holder.equals(rows.get(0).string("holder"));
    }

    @Override
    public void leaderResign(String name, String holder) {
        db.run(
                "leader_resign",
                Mode.SINGLE,
                true,
                s -> s.update("leader_resign", Params.of("name", name).set("holder", holder)));
    }

    @Override
    public Optional<String> leaderGet(String name) {
        List<Row> rows = db.run("leader_get", Mode.READ, true, s -> s.query("leader_get", Params.of("name", name)));
        return rows.stream().findFirst().map(r -> r.string("holder"));
    }

    // ---- registry ------------------------------------------------------------------------------

    @Override
    public void workerRegister(WorkerInfo w) {
        Params p = Params.of("worker_id", w.workerId())
                .set("pool_id", w.poolId())
                .set("host", w.host())
                .set("pid", w.pid())
                .set("concurrency", w.concurrency())
                .set("queues", String.join(",", w.queues()))
                .set("version", w.version());
        db.run("worker_register", Mode.SINGLE, true, s -> s.update("worker_register", p));
        // Forget processes that died without deregistering long ago, so the table stays small.
        db.run(
                "worker_prune",
                Mode.SINGLE,
                true,
                s -> s.update(
                        "worker_prune", Params.of("older_ms", Duration.ofDays(1).toMillis())));
    }

    @Override
    public void workerDeregister(String workerId) {
        db.run(
                "worker_deregister",
                Mode.SINGLE,
                true,
                s -> s.update("worker_deregister", Params.of("worker_id", workerId)));
    }

    @Override
    public List<WorkerInfo> workerList(Duration within) {
        List<Row> rows = db.run(
                "worker_list", Mode.READ, true, s -> s.query("worker_list", Params.of("within_ms", within.toMillis())));
        List<WorkerInfo> out = new ArrayList<>();
        for (Row r : rows) {
            String queues = r.string("queues");
            out.add(new WorkerInfo(
                    r.string("worker_id"),
                    r.string("pool_id"),
                    r.string("host"),
                    r.getLong("pid"),
                    r.getInt("concurrency"),
                    queues == null || queues.isEmpty() ? List.of() : List.of(queues.split(",")),
                    r.string("version"),
                    r.instant("started_at"),
                    r.instant("last_seen_at"),
                    r.getInt("active")));
        }
        return out;
    }

    // ---- operator actions ------------------------------------------------------------------------

    @Override
    public CancelResult executionCancel(long id, String reason) {
        return db.run("execution_cancel", Mode.TRANSACTION, false, s -> {
            List<Row> rows = s.query("execution_lock", Params.of("id", id));
            if (rows.isEmpty()) {
                return CancelResult.NOT_FOUND;
            }
            ExecutionState st = ExecutionState.parse(rows.get(0).string("state"));
            Params p = Params.of("id", id).set("reason", reason);
            return switch (st) {
                case AVAILABLE -> {
                    s.update("execution_cancel_queued", p);
                    yield CancelResult.CANCELLED;
                }
                case RUNNING -> {
                    s.update("execution_cancel_request", p);
                    yield CancelResult.REQUESTED;
                }
                default -> CancelResult.ALREADY_FINISHED;
            };
        });
    }

    @Override
    public RetryResult executionRetry(long id, boolean fromScratch) {
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
            String note = fromScratch
                    ? "retried from scratch by an operator"
                    : "retried by an operator; succeeded nodes are kept";
            s.update("execution_retry", Params.of("id", id).set("note", note));
            ExecutionView v = view(s.query("execution_get", Params.of("id", id)).get(0));
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
        List<Row> rows = db.run("queue_paused_list", Mode.READ, true, s -> s.query("queue_paused_list", Params.of()));
        return rows.stream().map(r -> r.string("name")).toList();
    }

    // ---- inspection ------------------------------------------------------------------------------

    @Override
    public Optional<ExecutionView> executionGet(long id) {
        List<Row> rows = db.run("execution_get", Mode.READ, true, s -> s.query("execution_get", Params.of("id", id)));
        return rows.stream().findFirst().map(JdbcExecutionStore::view);
    }

    @Override
    public List<ExecutionView> executionList(ExecutionFilter f) {
        Params p = Params.of("state", f.state() == null ? null : f.state().dbName())
                .set("workflow", f.workflowName())
                .set("queue", f.queue())
                .set("limit", f.limit());
        List<Row> rows = db.run("execution_list", Mode.READ, true, s -> s.query("execution_list", p));
        return rows.stream().map(JdbcExecutionStore::view).toList();
    }

    private static ExecutionView view(Row r) {
        return new ExecutionView(
                r.getLong("id"),
                r.string("queue"),
                r.string("workflow_hash"),
                r.string("workflow_name"),
                r.string("input"),
                ExecutionState.parse(r.string("state")),
                r.getInt("priority"),
                r.instant("run_at"),
                r.getInt("attempt"),
                r.getInt("max_attempts"),
                r.getInt("deaths"),
                r.string("lease_owner"),
                r.getLong("lease_epoch"),
                r.instant("lease_expires_at"),
                r.instant("created_at"),
                r.instant("started_at"),
                r.instant("finished_at"),
                r.string("output"),
                r.string("last_error"),
                r.bool("cancel_requested"),
                r.string("idempotency_key"),
                r.instant("db_now"));
    }

    @Override
    public List<NodeResult> nodeResultList(long executionId) {
        List<Row> rows = db.run(
                "node_results_list", Mode.READ, true, s -> s.query("node_results_list", Params.of("id", executionId)));
        return rows.stream().map(JdbcExecutionStore::nodeResult).toList();
    }

    @Override
    public List<HistoryEntry> historyList(long executionId) {
        List<Row> rows =
                db.run("history_list", Mode.READ, true, s -> s.query("history_list", Params.of("id", executionId)));
        return rows.stream()
                .map(r -> new HistoryEntry(
                        r.getLong("execution_id"),
                        r.instant("at"),
                        r.string("event"),
                        r.string("from_state"),
                        r.string("to_state"),
                        r.getInt("attempt"),
                        r.getLong("lease_epoch"),
                        r.string("worker_id"),
                        r.string("detail")))
                .toList();
    }

    @Override
    public long executionCountAhead(long id, int cap) {
        Params p = Params.of("id", id).set("cap", cap);
        List<Row> rows = db.run("execution_count_ahead", Mode.READ, true, s -> s.query("execution_count_ahead", p));
        return rows.isEmpty() ? 0 : rows.get(0).getLong("n");
    }

    @Override
    public Instant databaseNow() {
        List<Row> rows = db.run("database_now", Mode.READ, true, s -> s.query("database_now", Params.of()));
        return rows.get(0).instant("db_now");
    }

    /** Whether the last database call succeeded (no I/O). */
    public boolean databaseHealthy() {
        return db.healthy();
    }

    @Override
    public void close() {
        db.close();
    }
}
