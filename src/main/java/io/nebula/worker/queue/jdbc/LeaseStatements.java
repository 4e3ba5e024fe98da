package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completion;
import io.nebula.worker.queue.CompletionResult;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore.Checkpoint;
import io.nebula.worker.queue.HeartbeatResult;
import io.nebula.worker.queue.LeaseRef;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hot path of the store: claims, checkpoint loads, heartbeats, checkpoints and completions,
 * every write after a claim fenced by execution id and lease epoch. Each method is one statement
 * or one short transaction, batched over many executions.
 */
final class LeaseStatements {
    private final Database db;
    private final boolean sqlite;

    LeaseStatements(Database db, boolean sqlite) {
        this.db = db;
        this.sqlite = sqlite;
    }

    List<ClaimedExecution> executionClaim(ClaimRequest request) {
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

    Map<Long, List<NodeResult>> nodeResultsLoad(List<Long> executionIds) {
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

    HeartbeatResult leaseHeartbeat(String workerId, List<LeaseRef> leases, Duration visibilityTimeout, int active) {
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
        Mode mode = sqlite ? Mode.TRANSACTION : Mode.HEARTBEAT;
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

    List<Boolean> nodeCheckpointMany(List<Checkpoint> checkpoints) {
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

    List<CompletionResult> executionCompleteMany(List<Completion> completions) {
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
            collect(s.query("execution_succeed", Params.of("batch", NodeResultsJson.batch(succeed))), applied);
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
}
