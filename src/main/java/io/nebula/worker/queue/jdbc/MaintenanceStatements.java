package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.MaintenanceStore;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.RescueResult;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.WorkerInfo;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the maintenance leader and the registry need: rescue of expired leases, pruning, capped
 * queue statistics, the leader lease and the worker registry.
 */
final class MaintenanceStatements implements MaintenanceStore {
    private final Database db;
    private final InspectionStatements inspection;

    MaintenanceStatements(Database db, InspectionStatements inspection) {
        this.db = db;
        this.inspection = inspection;
    }

    /** The fence's parameters: {@code :lease} and {@code :holder}, both NULL when unfenced. */
    private static Params fenced(Params p, LeaderFence leader) {
        return p.set("lease", leader == null ? null : leader.name())
                .set("holder", leader == null ? null : leader.holder());
    }

    @Override
    public RescueResult executionRescue(int maxDeaths, int limit, LeaderFence leader) {
        Params p = fenced(Params.of("max_deaths", maxDeaths).set("limit", limit), leader);
        List<Row> rows = db.run("execution_rescue", Mode.TRANSACTION, true, s -> s.query("execution_rescue", p));
        int requeued = 0;
        int failed = 0;
        int quarantined = 0;
        int cancelled = 0;
        List<Long> ended = new ArrayList<>();
        for (Row r : rows) {
            String event = r.string("last_event");
            ExecutionState state = ExecutionState.parse(r.string("state"));
            switch (state) {
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
            if (state != ExecutionState.AVAILABLE) {
                ended.add(r.getLong("id"));
            }
        }
        return new RescueResult(requeued, failed, quarantined, cancelled, ended);
    }

    @Override
    public int executionPrune(Duration retention, int limit, LeaderFence leader) {
        Params p = fenced(Params.of("retention_ms", retention.toMillis()).set("limit", limit), leader);
        return db.run("execution_prune", Mode.TRANSACTION, true, s -> s.update("execution_prune", p));
    }

    @Override
    public List<FailedExecution> executionFailedAfter(
            FailedExecution after, Duration lookback, Duration settle, int limit) {
        Params p = Params.of("after_id", after == null ? null : after.id())
                .set("after_position", after == null ? null : after.position())
                .set("lookback_ms", lookback.toMillis())
                .set("settle_ms", settle.toMillis())
                .set("limit", limit);
        List<Row> rows = db.run("execution_failed_after", Mode.READ, true, s -> s.query("execution_failed_after", p));
        List<FailedExecution> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new FailedExecution(r.getLong("id"), r.string("workflow_hash"), r.getLong("position")));
        }
        return out;
    }

    @Override
    public List<QueueStats> queueStats(long cap, boolean finishedTotals) {
        return queueStats("queue_stats_active", cap, finishedTotals);
    }

    @Override
    public List<QueueStats> queueOverview(long cap) {
        return queueStats("queue_overview_active", cap, false);
    }

    /** As {@link #queueStats(long, boolean)}, reading unfinished rows with {@code activeOp}. */
    private List<QueueStats> queueStats(String activeOp, long cap, boolean finishedTotals) {
        record Raw(List<Row> active, List<Row> finished, List<Row> known) {}
        Raw raw = db.run(
                "queue_stats",
                Mode.READ,
                true,
                s -> new Raw(
                        s.query(activeOp, Params.of("cap", cap)),
                        s.query("queue_stats_finished", Params.of("cap", cap).set("totals", finishedTotals)),
                        s.query("queue_list", Params.of())));
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
        // Known queues are listed even when empty, so a queue's depth reads 0 rather than missing.
        Set<String> paused = new HashSet<>();
        for (Row r : raw.known()) {
            counts.computeIfAbsent(r.string("name"), k -> new EnumMap<>(ExecutionState.class));
            if (r.bool("paused")) {
                paused.add(r.string("name"));
            }
        }
        if (now == null) {
            now = inspection.databaseNow();
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
                    paused.contains(q),
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

    @Override
    public void workerRegister(WorkerInfo w) {
        Params p = Params.of("worker_id", w.workerId())
                .set("pool_id", w.poolId())
                .set("host", w.host())
                .set("pid", w.pid())
                .set("concurrency", w.concurrency())
                .set("queues", String.join(",", w.queues()))
                .set("version", w.version());
        db.run(
                "worker_register",
                db.modeFor("worker_register", Mode.SINGLE),
                true,
                s -> s.update("worker_register", p));
        // A queue exists once a worker serves it: submits to it are no longer taken for typos.
        db.run(
                "queue_register",
                Mode.SINGLE,
                true,
                s -> s.update("queue_register", Params.of("names", SqlArray.ofStrings(w.queues()))));
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
}
