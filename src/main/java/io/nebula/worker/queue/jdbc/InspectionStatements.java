package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.ThroughputBucket;
import io.nebula.worker.queue.WorkflowSummary;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads for operators (executions, nodes, history, paused queues, failures and throughput per
 * queue, definitions, the clock) and the cancel request.
 */
final class InspectionStatements {
    private final Database db;

    InspectionStatements(Database db) {
        this.db = db;
    }

    CancelResult executionCancel(long id, String reason, String by) {
        return db.run("execution_cancel", Mode.TRANSACTION, false, s -> {
            List<Row> rows = s.query("execution_lock", Params.of("id", id));
            if (rows.isEmpty()) {
                return CancelResult.NOT_FOUND;
            }
            ExecutionState st = ExecutionState.parse(rows.get(0).string("state"));
            Params p = Params.of("id", id).set("reason", reason);
            return switch (st) {
                case AVAILABLE -> {
                    attribute(s, s.update("execution_cancel_queued", p), id, by);
                    yield CancelResult.CANCELLED;
                }
                case RUNNING -> {
                    // A cancel already requested is not requested again (nor recorded twice).
                    attribute(s, s.update("execution_cancel_request", p), id, by);
                    yield CancelResult.REQUESTED;
                }
                default -> CancelResult.ALREADY_FINISHED;
            };
        });
    }

    /**
     * Credits the history row the operator's statement just wrote (when it wrote one) to {@code
     * by}; the caller holds the execution's lock.
     */
    static void attribute(Session s, int changed, long id, String by) throws java.sql.SQLException {
        if (changed > 0 && by != null) {
            s.update("history_attribute", Params.of("id", id).set("by", by));
        }
    }

    List<String> queuePausedList() {
        List<Row> rows = db.run("queue_paused_list", Mode.READ, true, s -> s.query("queue_paused_list", Params.of()));
        return rows.stream().map(r -> r.string("name")).toList();
    }

    Optional<ExecutionView> executionGet(long id) {
        List<Row> rows = db.run("execution_get", Mode.READ, true, s -> s.query("execution_get", Params.of("id", id)));
        return rows.stream().findFirst().map(Records::view);
    }

    List<ExecutionView> executionList(ExecutionFilter f) {
        Params p = Params.of("state", f.state() == null ? null : f.state().dbName())
                .set("workflow", f.workflowName())
                .set("queue", f.queue())
                .set("limit", f.limit());
        List<Row> rows = db.run("execution_list", Mode.READ, true, s -> s.query("execution_list", p));
        return rows.stream().map(Records::view).toList();
    }

    List<NodeResult> nodeResultList(long executionId) {
        List<Row> rows = db.run(
                "node_results_list", Mode.READ, true, s -> s.query("node_results_list", Params.of("id", executionId)));
        return rows.stream().map(Records::nodeResult).toList();
    }

    List<HistoryEntry> historyList(long executionId) {
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

    Optional<ExecutionView> executionGetByKey(String key) {
        List<Row> rows = db.run(
                "execution_get_by_key", Mode.READ, true, s -> s.query("execution_get_by_key", Params.of("key", key)));
        return rows.stream().findFirst().map(Records::view);
    }

    Map<String, Long> queueFailedRecently(Duration window, long cap) {
        Params p = Params.of("window_ms", window.toMillis()).set("cap", cap);
        List<Row> rows = db.run("queue_failed_recent", Mode.READ, true, s -> s.query("queue_failed_recent", p));
        Map<String, Long> out = new TreeMap<>();
        rows.forEach(r -> out.put(r.string("queue"), r.getLong("n")));
        return out;
    }

    /** One statement per minute, each a bounded range of executions_finished, in one session. */
    List<ThroughputBucket> queueThroughput(int minutes, long capPerMinute) {
        return db.run("queue_throughput", Mode.READ, true, s -> {
            Instant now = s.query("database_now", Params.of()).get(0).instant("db_now");
            Instant current = now.truncatedTo(ChronoUnit.MINUTES);
            List<ThroughputBucket> out = new ArrayList<>();
            for (int i = minutes - 1; i >= 0; i--) {
                Instant from = current.minus(i, ChronoUnit.MINUTES);
                Params p = Params.of("from_ms", from.toEpochMilli())
                        .set("to_ms", from.plus(1, ChronoUnit.MINUTES).toEpochMilli())
                        .set("cap", capPerMinute);
                List<Row> rows = s.query("queue_finished_between", p);
                long total = rows.stream().mapToLong(r -> r.getLong("n")).sum();
                for (Row r : rows) {
                    out.add(new ThroughputBucket(
                            from, r.string("queue"), r.getLong("n"), r.getLong("failed"), total >= capPerMinute));
                }
            }
            return out;
        });
    }

    List<WorkflowSummary> workflowList(String afterName, String afterHash, int limit) {
        Params p = Params.of("after_name", afterName == null ? "" : afterName)
                .set("after_hash", afterName == null ? "" : afterHash == null ? "" : afterHash)
                .set("limit", limit);
        List<Row> rows = db.run("workflow_list", Mode.READ, true, s -> s.query("workflow_list", p));
        return rows.stream()
                .map(r -> new WorkflowSummary(r.string("name"), r.string("hash"), r.instant("created_at")))
                .toList();
    }

    long executionCountAhead(long id, int cap) {
        Params p = Params.of("id", id).set("cap", cap);
        List<Row> rows = db.run("execution_count_ahead", Mode.READ, true, s -> s.query("execution_count_ahead", p));
        return rows.isEmpty() ? 0 : rows.get(0).getLong("n");
    }

    Instant databaseNow() {
        List<Row> rows = db.run("database_now", Mode.READ, true, s -> s.query("database_now", Params.of()));
        return rows.get(0).instant("db_now");
    }
}
