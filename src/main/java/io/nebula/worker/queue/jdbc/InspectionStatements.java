package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionPage;
import io.nebula.worker.queue.ExecutionQuery;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.InspectionStore;
import io.nebula.worker.queue.KnownQueue;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.SignalView;
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
 * Reads for operators (executions, pages of executions, nodes, history, signals, known and paused
 * queues, failures and throughput per queue, definitions, the clock).
 */
final class InspectionStatements implements InspectionStore {
    private final Database db;
    private final ExecutionPages pages;
    private final SignalStatements signals;

    InspectionStatements(Database db, SignalStatements signals) {
        this.db = db;
        this.pages = new ExecutionPages(db);
        this.signals = signals;
    }

    @Override
    public ExecutionPage executionPage(ExecutionQuery query) {
        return pages.page(query);
    }

    @Override
    public long queueRunning(String queue) {
        return db.run("queue_running", Mode.READ, true, s -> s.query("queue_running", Params.of("queue", queue)))
                .get(0)
                .getLong("n");
    }

    @Override
    public List<KnownQueue> queueList() {
        List<Row> rows = db.run("queue_list", Mode.READ, true, s -> s.query("queue_list", Params.of()));
        return rows.stream()
                .map(r -> new KnownQueue(
                        r.string("name"), r.bool("paused"), r.isNull("max_running") ? null : r.getInt("max_running")))
                .toList();
    }

    @Override
    public Optional<SignalView> signalGet(long executionId, String name) {
        return signals.signalGet(executionId, name);
    }

    @Override
    public List<SignalView> signalList(long executionId) {
        return signals.signalList(executionId);
    }

    @Override
    public List<String> queuePausedList() {
        List<Row> rows = db.run("queue_paused_list", Mode.READ, true, s -> s.query("queue_paused_list", Params.of()));
        return rows.stream().map(r -> r.string("name")).toList();
    }

    @Override
    public Optional<ExecutionView> executionGet(long id) {
        List<Row> rows = db.run("execution_get", Mode.READ, true, s -> s.query("execution_get", Params.of("id", id)));
        return rows.stream().findFirst().map(Records::view);
    }

    @Override
    public List<ExecutionView> executionList(ExecutionFilter f) {
        Params p = Params.of("state", f.state() == null ? null : f.state().dbName())
                .set("workflow", f.workflowName())
                .set("queue", f.queue())
                .set("before", f.before())
                .set("limit", f.limit());
        List<Row> rows = db.run("execution_list", Mode.READ, true, s -> s.query("execution_list", p));
        return rows.stream().map(Records::view).toList();
    }

    @Override
    public List<NodeResult> nodeResultList(long executionId) {
        List<Row> rows = db.run(
                "node_results_list", Mode.READ, true, s -> s.query("node_results_list", Params.of("id", executionId)));
        return rows.stream().map(Records::nodeResult).toList();
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
    public Optional<ExecutionView> executionGetByKey(String key) {
        List<Row> rows = db.run(
                "execution_get_by_key", Mode.READ, true, s -> s.query("execution_get_by_key", Params.of("key", key)));
        return rows.stream().findFirst().map(Records::view);
    }

    @Override
    public Map<String, ExecutionView> executionGetByKeys(java.util.Collection<String> keys) {
        if (keys.size() > MAX_KEYS) {
            throw new IllegalArgumentException(
                    "at most " + MAX_KEYS + " idempotency keys are looked up at once, not " + keys.size());
        }
        Map<String, ExecutionView> out = new java.util.HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        Params p = Params.of("keys", SqlArray.ofStrings(List.copyOf(keys)));
        List<Row> rows = db.run("execution_get_by_keys", Mode.READ, true, s -> s.query("execution_get_by_keys", p));
        for (Row r : rows) {
            out.put(r.string("idempotency_key"), Records.view(r));
        }
        return out;
    }

    @Override
    public Map<String, Long> queueFailedRecently(Duration window, long cap) {
        Params p = Params.of("window_ms", window.toMillis()).set("cap", cap);
        List<Row> rows = db.run("queue_failed_recent", Mode.READ, true, s -> s.query("queue_failed_recent", p));
        Map<String, Long> out = new TreeMap<>();
        rows.forEach(r -> out.put(r.string("queue"), r.getLong("n")));
        return out;
    }

    /** One statement per minute, each a bounded range of executions_finished, in one session. */
    @Override
    public List<ThroughputBucket> queueThroughput(int minutes, long capPerMinute) {
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

    @Override
    public List<WorkflowSummary> workflowList(String afterName, String afterHash, int limit) {
        Params p = Params.of("after_name", afterName == null ? "" : afterName)
                .set("after_hash", afterName == null ? "" : afterHash == null ? "" : afterHash)
                .set("limit", limit);
        List<Row> rows = db.run("workflow_list", Mode.READ, true, s -> s.query("workflow_list", p));
        return rows.stream()
                .map(r -> new WorkflowSummary(r.string("name"), r.string("hash"), r.instant("created_at")))
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
}
