package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completion;
import io.nebula.worker.queue.CompletionResult;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.HeartbeatResult;
import io.nebula.worker.queue.LeaseRef;
import io.nebula.worker.queue.LeaseStore;
import io.nebula.worker.queue.LeaseStore.Checkpoint;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The hot path of the store: claims, checkpoint loads, heartbeats, checkpoints and completions,
 * every write after a claim fenced by execution id and lease epoch. Each method is one statement
 * or one short transaction, batched over many executions.
 */
final class LeaseStatements implements LeaseStore {
    private static final String SUCCEED = "execution_succeed";
    private static final String FAIL = "execution_fail";
    private static final String RELEASE = "execution_release";
    private static final String AWAIT_SIGNAL = "execution_await_signal";
    /** Run after {@code execution_await_signal} for executions whose workflow's timeout ends first. */
    private static final String DUE_CAP = "execution_due_cap";

    private static final String CANCEL_ACK = "execution_cancel_ack";
    /** Locks a batch's rows in id order before the statements of several kinds that end them. */
    private static final String LOCK_MANY = "execution_lock_many";
    /** The statements that end attempts, one per kind of outcome, in the order a batch runs them. */
    private static final List<String> ENDINGS = List.of(SUCCEED, FAIL, RELEASE, AWAIT_SIGNAL, CANCEL_ACK);

    /**
     * Run after {@code execution_succeed} where that statement leaves out the node results of the
     * attempts whose cancel won (they become checkpoint rows a retry resumes from).
     */
    private static final String SUCCEED_CANCELLED_NODES = "execution_succeed_cancelled_nodes";

    /** The room left in each limited queue of a claim, read inside the claim's transaction. */
    private static final String QUEUE_ROOM = "queue_room";

    private final Database db;
    /**
     * Called after an ending batch commits with the queues in which it made executions due at once
     * ({@link JdbcExecutionStore#ANY_QUEUE} for any), read from the {@code due_queue} column of the
     * dialect's ending statements where they return one; PostgreSQL's functions NOTIFY those queues
     * themselves.
     */
    private final Consumer<Set<String>> afterDue;
    /** Whether {@link #SUCCEED_CANCELLED_NODES} follows a success batch in which a cancel won. */
    private final boolean cancelledNodesApart;
    /** Whether a claim reads {@link #QUEUE_ROOM} and picks at most each limited queue's room. */
    private final boolean limitsApart;

    /**
     * @param cancelledNodesApart whether the dialect's {@code execution_succeed} leaves the node
     *     results of cancelled attempts to {@code execution_succeed_cancelled_nodes}, in the same
     *     transaction, so that a batch without a cancel (nearly every batch) does not look for one
     * @param limitsApart whether the dialect's {@code execution_claim} leaves the queues' limits on
     *     running executions to this class: a claim that asks for a limited queue then reads the
     *     room each one has left with {@code queue_room}, picks at most that many of each in claim
     *     order and claims them by id, all in the claim's one write transaction (whose write lock
     *     keeps other claims out meanwhile)
     * @param afterDue told, after an ending batch commits, the queues in which it made executions due
     *     at once, when the dialect's ending statements return a {@code due_queue} column
     */
    LeaseStatements(Database db, boolean cancelledNodesApart, boolean limitsApart, Consumer<Set<String>> afterDue) {
        this.db = db;
        this.afterDue = afterDue;
        this.cancelledNodesApart = cancelledNodesApart;
        this.limitsApart = limitsApart;
    }

    @Override
    public List<ClaimedExecution> executionClaim(ClaimRequest request) {
        if (request.limit() == 0 || request.queues().isEmpty()) {
            return List.of();
        }
        // Not retried on a lost connection: the claim may have committed, and its rows would then
        // be held by nobody we know of until the lease expires and the rescuer returns them.
        List<ClaimedExecution> claimed = db.run(
                "execution_claim",
                Mode.CLAIM,
                false,
                s -> limitsApart ? claimWithin(s, request) : claim(s, request, request.queues(), request.limit()));
        List<ClaimedExecution> out = new ArrayList<>(claimed);
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    /**
     * A claim under the limits of the queues asked for, in one write transaction: each limited
     * queue's room ({@code queue_room}), the first due executions of each limited queue up to its
     * room and of the other queues up to the batch ({@code execution_claim_candidates}), and of
     * those the batch's worth first in claim order ({@code execution_claim_ids}), so a limit changes
     * how many of a queue run, not which queue is served first.
     */
    private static List<ClaimedExecution> claimWithin(Session s, ClaimRequest request) throws SQLException {
        List<Row> rooms = s.query(QUEUE_ROOM, Params.of("queues", SqlArray.ofStrings(request.queues())));
        if (rooms.isEmpty()) {
            return claim(s, request, request.queues(), request.limit());
        }
        List<Row> candidates = new ArrayList<>();
        Set<String> limited = new HashSet<>();
        for (Row r : rooms) {
            String queue = r.string("name");
            limited.add(queue);
            long room = Math.min(r.getLong("room"), request.limit());
            if (room > 0) {
                candidates.addAll(candidates(s, List.of(queue), (int) room));
            }
        }
        List<String> others =
                request.queues().stream().filter(q -> !limited.contains(q)).toList();
        if (!others.isEmpty()) {
            candidates.addAll(candidates(s, others, request.limit()));
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        candidates.sort(java.util.Comparator.comparingLong((Row r) -> r.getLong("priority"))
                .thenComparingLong(r -> r.getLong("run_at"))
                .thenComparingLong(r -> r.getLong("id")));
        List<Long> ids = new ArrayList<>(Math.min(candidates.size(), request.limit()));
        for (int i = 0; i < candidates.size() && i < request.limit(); i++) {
            ids.add(candidates.get(i).getLong("id"));
        }
        Params p = Params.of("worker_id", request.workerId())
                .set("ids", SqlArray.ofLongs(ids))
                .set("visibility_ms", request.visibilityTimeout().toMillis());
        return s.query("execution_claim_ids", p, LeaseStatements::claimed);
    }

    private static List<Row> candidates(Session s, List<String> queues, int limit) throws SQLException {
        return s.query(
                "execution_claim_candidates",
                Params.of("queues", SqlArray.ofStrings(queues)).set("limit", limit));
    }

    /** One {@code execution_claim} statement over {@code queues}, at most {@code limit} executions. */
    private static List<ClaimedExecution> claim(Session s, ClaimRequest request, List<String> queues, int limit)
            throws SQLException {
        Params p = Params.of("worker_id", request.workerId())
                .set("queues", SqlArray.ofStrings(queues))
                .set("limit", limit)
                .set("visibility_ms", request.visibilityTimeout().toMillis());
        // Read by position with typed getters, in the order of execution_claim's columns: the hot
        // path's widest read.
        return s.query("execution_claim", p, LeaseStatements::claimed);
    }

    /** A claimed row, read by position with typed getters in the order of the claim's columns. */
    private static ClaimedExecution claimed(java.sql.ResultSet rs) throws SQLException {
        return new ClaimedExecution(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getInt(6),
                rs.getInt(7),
                rs.getLong(8),
                rs.getBoolean(9),
                rs.getBoolean(10),
                Duration.ofMillis(rs.getLong(11)),
                rs.getString(12));
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
                    .add(Records.nodeResult(r));
        }
        return out;
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
        Mode mode = db.modeFor("lease_heartbeat", Mode.HEARTBEAT);
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
        List<List<Checkpoint>> rounds = rounds(checkpoints, Checkpoint::lease);
        if (rounds.size() > 1) {
            return inRounds(checkpoints, rounds, this::nodeCheckpointMany);
        }
        Map<LeaseRef, List<NodeResult>> byLease = new LinkedHashMap<>();
        LeaseRef previous = null;
        List<NodeResult> results = null;
        for (Checkpoint c : checkpoints) {
            // A lease's results usually come together: look it up only when the lease changes.
            if (!c.lease().equals(previous)) {
                previous = c.lease();
                results = byLease.computeIfAbsent(previous, k -> new ArrayList<>(2));
            }
            results.add(c.result());
        }
        Params p = Params.of("batch", BatchJson.checkpoints(byLease));
        // Failed tries of a node that needed more than one go in a second statement of the same
        // transaction; checkpoints without them (nearly all) stay one statement.
        boolean tries = checkpoints.stream().anyMatch(c -> !c.result().tries().isEmpty());
        // One statement on PostgreSQL; SQLite's two need the write lock between them.
        Mode mode = tries ? Mode.TRANSACTION : db.modeFor("node_checkpoint", Mode.SINGLE);
        Set<Long> fenced = db.run("node_checkpoint", mode, true, s -> {
            Set<Long> ids = new HashSet<>();
            for (Row r : s.query("node_checkpoint", p)) {
                ids.add(r.getLong("id"));
            }
            if (tries) {
                s.update("node_tries", p);
            }
            return ids;
        });
        List<Boolean> out = new ArrayList<>(checkpoints.size());
        long previousId = 0;
        boolean held = false;
        for (int i = 0; i < checkpoints.size(); i++) {
            long id = checkpoints.get(i).lease().executionId();
            if (i == 0 || id != previousId) {
                previousId = id;
                held = fenced.contains(id);
            }
            out.add(held);
        }
        return out;
    }

    @Override
    public List<CompletionResult> executionCompleteMany(List<Completion> completions) {
        if (completions.isEmpty()) {
            return List.of();
        }
        List<List<Completion>> rounds = rounds(completions, Completion::lease);
        if (rounds.size() > 1) {
            return inRounds(completions, rounds, this::executionCompleteMany);
        }
        // One statement per kind of completion; a batch of one kind (the common case) is a single
        // statement in auto-commit mode, several kinds share one transaction. A signal wait is
        // several statements, so a batch with one always runs as a transaction; so does a batch with
        // successes where the dialect writes the node results of cancelled attempts apart.
        String kind = statement(completions.get(0));
        boolean oneKind = true;
        boolean awaits = false;
        boolean tries = false;
        boolean succeeds = false;
        for (Completion c : completions) {
            String op = statement(c);
            oneKind &= op.equals(kind);
            awaits |= op.equals(AWAIT_SIGNAL);
            succeeds |= op.equals(SUCCEED);
            tries = tries || BatchJson.hasTries(c.nodes());
        }
        boolean followUp = cancelledNodesApart && succeeds;
        Mode mode = oneKind && !awaits && !tries && !followUp ? Mode.SINGLE : Mode.TRANSACTION;
        // Several statements in one transaction take their rows in id order only if locked first
        // (SQLite has one writer at a time: nothing to order).
        boolean lockFirst = !oneKind && db.sql().dialect() == io.nebula.worker.queue.Dialect.POSTGRES;
        Ended ended =
                db.run("execution_complete", mode, true, s -> complete(s, completions, cancelledNodesApart, lockFirst));
        if (!ended.due().isEmpty()) {
            afterDue.accept(ended.due());
        }
        Map<Long, ExecutionState> applied = ended.applied();
        if (applied.size() < completions.size()) {
            List<Completion> unmatched = completions.stream()
                    .filter(c -> !applied.containsKey(c.lease().executionId()))
                    .toList();
            if (!unmatched.isEmpty()) {
                applied.putAll(alreadyRecorded(unmatched));
            }
        }
        List<CompletionResult> out = new ArrayList<>(completions.size());
        for (Completion c : completions) {
            ExecutionState st = applied.get(c.lease().executionId());
            out.add(st == null ? CompletionResult.lost(c.lease()) : new CompletionResult(c.lease(), true, st));
        }
        return out;
    }

    /**
     * {@code items} in rounds in which no execution appears under two leases, in their order: one
     * round unless a batch holds writes of two leases of one execution (an attempt that lost its
     * lease and the next one, both finishing on this worker). The statements answer by execution
     * id, so within one statement the current lease's answer would be taken for the stale one's
     * too. Writes of one lease (a checkpoint's several nodes) stay together.
     */
    private static <T> List<List<T>> rounds(List<T> items, Function<T, LeaseRef> lease) {
        if (oneLeasePerExecution(items, lease)) {
            return List.of(items);
        }
        List<List<T>> rounds = new ArrayList<>(1);
        List<Map<Long, Long>> epochs = new ArrayList<>(1);
        for (T item : items) {
            LeaseRef l = lease.apply(item);
            int r = 0;
            while (r < rounds.size()) {
                Long epoch = epochs.get(r).get(l.executionId());
                if (epoch == null || epoch == l.leaseEpoch()) {
                    break;
                }
                r++;
            }
            if (r == rounds.size()) {
                rounds.add(new ArrayList<>(r == 0 ? items.size() : 2));
                epochs.add(new HashMap<>());
            }
            rounds.get(r).add(item);
            epochs.get(r).put(l.executionId(), l.leaseEpoch());
        }
        return rounds;
    }

    /**
     * Whether no execution appears under two leases in {@code items}: one map entry per execution,
     * and none for an item whose lease is the previous item's (a checkpoint's several nodes).
     */
    private static <T> boolean oneLeasePerExecution(List<T> items, Function<T, LeaseRef> lease) {
        if (items.size() < 2) {
            return true;
        }
        Map<Long, Long> epochs = new HashMap<>(items.size() * 2);
        LeaseRef previous = null;
        for (T item : items) {
            LeaseRef l = lease.apply(item);
            if (previous != null
                    && l.executionId() == previous.executionId()
                    && l.leaseEpoch() == previous.leaseEpoch()) {
                continue;
            }
            previous = l;
            Long seen = epochs.putIfAbsent(l.executionId(), l.leaseEpoch());
            if (seen != null && seen != l.leaseEpoch()) {
                return false;
            }
        }
        return true;
    }

    /** Writes each round with {@code write}; the answers in the order of {@code items}. */
    private static <T, R> List<R> inRounds(List<T> items, List<List<T>> rounds, Function<List<T>, List<R>> write) {
        Map<T, R> answers = new IdentityHashMap<>();
        for (List<T> round : rounds) {
            List<R> r = write.apply(round);
            for (int i = 0; i < round.size(); i++) {
                answers.put(round.get(i), r.get(i));
            }
        }
        return items.stream().map(answers::get).toList();
    }

    /** The statement that writes a completion, chosen by its outcome. */
    private static String statement(Completion c) {
        return switch (c.outcome()) {
            case RunOutcome.Succeeded x -> SUCCEED;
            case RunOutcome.Failed x -> FAIL;
            case RunOutcome.Waiting x -> RELEASE;
            case RunOutcome.AwaitingSignal x -> AWAIT_SIGNAL;
            case RunOutcome.Stopped x -> x.reason() == StopReason.CANCELLED ? CANCEL_ACK : RELEASE;
        };
    }

    /**
     * Of completions that matched no running row, those whose attempt the history shows ended the
     * way they ask. A connection that breaks while a completion commits leaves the caller unsure,
     * and the write is sent again (the work is idempotent); the resend finds the row no longer
     * running. Only the holder of a lease writes these events for it, so a matching event is this
     * completion's own first try, and reporting it lost would misreport a recorded outcome. Which
     * events each statement records is decided by {@code completion_recorded}, which is sent the
     * statement's name with each lease.
     */
    private Map<Long, ExecutionState> alreadyRecorded(List<Completion> unmatched) {
        List<Long> ids = new ArrayList<>(unmatched.size());
        List<Long> epochs = new ArrayList<>(unmatched.size());
        List<String> statements = new ArrayList<>(unmatched.size());
        for (Completion c : unmatched) {
            ids.add(c.lease().executionId());
            epochs.add(c.lease().leaseEpoch());
            statements.add(statement(c));
        }
        Params p = Params.of("ids", SqlArray.ofLongs(ids))
                .set("epochs", SqlArray.ofLongs(epochs))
                .set("statements", SqlArray.ofStrings(statements))
                .zip("rows", "ids", "epochs", "statements");
        List<Row> rows = db.run("completion_recorded", Mode.READ, true, s -> s.query("completion_recorded", p));
        Map<Long, ExecutionState> out = new HashMap<>();
        // Ended by an earlier try of the batch that committed unseen: its wake-ups are left to the poll.
        collect(rows, out, new HashSet<>());
        return out;
    }

    /** What an ending batch wrote: the state of each execution it ended, and the queues it made due. */
    private record Ended(Map<Long, ExecutionState> applied, Set<String> due) {}

    private static Ended complete(
            Session s, List<Completion> completions, boolean cancelledNodesApart, boolean lockFirst)
            throws SQLException {
        if (lockFirst) {
            List<Long> ids = new ArrayList<>(completions.size());
            for (Completion c : completions) {
                ids.add(c.lease().executionId());
            }
            s.query(LOCK_MANY, Params.of("ids", SqlArray.ofLongs(ids)));
        }
        Map<String, List<Completion>> byStatement = new LinkedHashMap<>();
        for (String op : ENDINGS) {
            byStatement.put(op, new ArrayList<>());
        }
        for (Completion c : completions) {
            byStatement.get(statement(c)).add(c);
        }
        Map<Long, ExecutionState> applied = new HashMap<>();
        Set<String> due = new HashSet<>();
        for (Map.Entry<String, List<Completion>> e : byStatement.entrySet()) {
            end(s, e.getKey(), e.getValue(), applied, due, cancelledNodesApart);
        }
        return new Ended(applied, due);
    }

    private static void end(
            Session s,
            String op,
            List<Completion> cs,
            Map<Long, ExecutionState> applied,
            Set<String> due,
            boolean cancelledNodesApart)
            throws SQLException {
        if (!cs.isEmpty()) {
            Params p = Params.of("batch", BatchJson.completions(cs));
            Map<Long, ExecutionState> ended = new HashMap<>();
            collect(s.query(op, p), ended, due);
            applied.putAll(ended);
            if (op.equals(AWAIT_SIGNAL)) {
                List<Completion> capped = cs.stream()
                        .filter(c -> c.outcome() instanceof RunOutcome.AwaitingSignal a && a.dueAtMost() != null)
                        .toList();
                if (!capped.isEmpty()) {
                    s.update(DUE_CAP, Params.of("batch", BatchJson.dueCaps(capped)));
                }
            }
            if (cancelledNodesApart && op.equals(SUCCEED) && ended.containsValue(ExecutionState.CANCELLED)) {
                // The attempts this statement ended cancelled, before node_tries, which adds the
                // failed tries to their node_results rows.
                List<Completion> cancelled = cs.stream()
                        .filter(c -> ended.get(c.lease().executionId()) == ExecutionState.CANCELLED)
                        .toList();
                s.update(SUCCEED_CANCELLED_NODES, Params.of("batch", BatchJson.completions(cancelled)));
            }
            if (cs.stream().anyMatch(c -> BatchJson.hasTries(c.nodes()))) {
                // The failed tries of nodes this statement wrote as node_results rows (a success
                // keeps its nodes, tries included, in executions.nodes).
                s.update("node_tries", p);
            }
        }
    }

    private static void collect(List<Row> rows, Map<Long, ExecutionState> applied, Set<String> due) {
        // The column is the statement's, the same for every row; PostgreSQL's statements have none.
        boolean dueColumn = !rows.isEmpty() && rows.get(0).has("due_queue");
        for (Row r : rows) {
            applied.put(r.getLong("id"), ExecutionState.parse(r.string("state")));
            if (dueColumn && !r.isNull("due_queue")) {
                due.add(r.string("due_queue"));
            }
        }
    }
}
