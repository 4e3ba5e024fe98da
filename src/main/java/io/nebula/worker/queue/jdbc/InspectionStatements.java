package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Reads for operators (executions, nodes, history, paused queues, the clock) and the cancel request. */
final class InspectionStatements {
    private final Database db;

    InspectionStatements(Database db) {
        this.db = db;
    }

    CancelResult executionCancel(long id, String reason) {
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
