package io.nebula.worker.cli;

import io.nebula.worker.inspect.Explanation;
import io.nebula.worker.json.Json;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.NodeTry;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.SignalView;
import io.nebula.worker.queue.WorkerInfo;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code --json} shapes of the operator commands. Field names are snake_case and stable (the
 * README's Operations section lists them); times are ISO-8601 UTC strings with milliseconds, or
 * {@code null}; durations are whole milliseconds or seconds, named by their unit; execution inputs
 * and outputs are embedded as JSON, not as strings. New fields may be added; none is renamed.
 */
final class JsonViews {
    static final JsonMapper JSON = Json.VIEWS;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private JsonViews() {}

    static ObjectNode object() {
        return F.objectNode();
    }

    static ArrayNode array() {
        return F.arrayNode();
    }

    static void print(PrintWriter out, JsonNode node) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        out.flush();
    }

    static ObjectNode execution(ExecutionView v) {
        ObjectNode o = F.objectNode();
        o.put("id", v.id());
        o.put("workflow", v.workflowName());
        o.put("workflow_hash", v.workflowHash());
        o.put("queue", v.queue());
        o.put("state", v.state().dbName());
        o.put("priority", v.priority());
        o.put("attempt", v.attempt());
        o.put("max_attempts", v.maxAttempts());
        o.put("deaths", v.deaths());
        time(o, "run_at", v.runAt());
        time(o, "created_at", v.createdAt());
        time(o, "started_at", v.startedAt());
        time(o, "finished_at", v.finishedAt());
        o.put("lease_owner", v.leaseOwner());
        o.put("lease_epoch", v.leaseEpoch());
        time(o, "lease_expires_at", v.leaseExpiresAt());
        o.put("cancel_requested", v.cancelRequested());
        o.put("idempotency_key", v.idempotencyKey());
        o.set("input", embedded(v.inputJson()));
        o.set("output", embedded(v.outputJson()));
        o.put("error", v.lastError());
        return o;
    }

    static ObjectNode node(NodeResult n) {
        ObjectNode o = F.objectNode();
        o.put("node_id", n.nodeId());
        o.put("status", n.status().dbName());
        o.put("attempt", n.attempt());
        time(o, "started_at", n.startedAt());
        time(o, "finished_at", n.finishedAt());
        if (n.startedAt() != null && n.finishedAt() != null) {
            o.put("duration_ms", Duration.between(n.startedAt(), n.finishedAt()).toMillis());
        } else {
            o.putNull("duration_ms");
        }
        o.set("output", embedded(n.outputJson()));
        o.put("error", n.error());
        if (n.status() == NodeStatus.SKIPPED || n.lastTry() == 0) {
            o.putNull("try");
        } else {
            o.put("try", n.lastTry());
        }
        ArrayNode tries = o.putArray("failed_tries");
        for (NodeTry t : n.tries()) {
            ObjectNode x = tries.addObject();
            x.put("attempt", t.attempt());
            x.put("try", t.tryNumber());
            time(x, "started_at", t.startedAt());
            time(x, "finished_at", t.finishedAt());
            if (t.startedAt() != null && t.finishedAt() != null) {
                x.put(
                        "duration_ms",
                        Duration.between(t.startedAt(), t.finishedAt()).toMillis());
            } else {
                x.putNull("duration_ms");
            }
            x.put("error", t.error());
        }
        return o;
    }

    static ObjectNode history(HistoryEntry h) {
        ObjectNode o = F.objectNode();
        time(o, "at", h.at());
        o.put("event", h.event());
        o.put("from_state", h.fromState());
        o.put("to_state", h.toState());
        o.put("attempt", h.attempt());
        o.put("lease_epoch", h.leaseEpoch());
        o.put("worker_id", h.workerId());
        o.put("detail", h.detail());
        return o;
    }

    static ObjectNode signal(SignalView s) {
        ObjectNode o = F.objectNode();
        o.put("name", s.name());
        o.put("node_id", s.nodeId());
        time(o, "waiting_since", s.waitingSince());
        time(o, "timeout_at", s.timeoutAt());
        time(o, "received_at", s.receivedAt());
        o.set("data", embedded(s.dataJson()));
        return o;
    }

    static ObjectNode schedule(Schedule s) {
        ObjectNode o = F.objectNode();
        o.put("name", s.name());
        o.put("workflow", s.workflowName());
        o.put("workflow_hash", s.workflowHash());
        o.put("cron", s.cron());
        o.put("timezone", s.timezone());
        o.put("queue", s.queue());
        o.set("input", embedded(s.inputJson()));
        o.put("max_attempts", s.maxAttempts());
        o.put("overlap", s.overlap().dbName());
        o.put("catch_up", s.catchUp().toString());
        o.put("paused", s.paused());
        time(o, "next_fire_at", s.nextFireAt());
        time(o, "last_fire_at", s.lastFireAt());
        if (s.lastExecutionId() == null) {
            o.putNull("last_execution_id");
        } else {
            o.put("last_execution_id", s.lastExecutionId());
        }
        time(o, "created_at", s.createdAt());
        time(o, "updated_at", s.updatedAt());
        return o;
    }

    static ObjectNode worker(WorkerInfo w, Instant now) {
        ObjectNode o = F.objectNode();
        o.put("worker_id", w.workerId());
        o.put("pool_id", w.poolId());
        o.put("host", w.host());
        o.put("pid", w.pid());
        o.put("concurrency", w.concurrency());
        o.put("active", w.active());
        ArrayNode queues = o.putArray("queues");
        w.queues().forEach(queues::add);
        o.put("version", w.version());
        time(o, "started_at", w.startedAt());
        time(o, "last_seen_at", w.lastSeenAt());
        o.put(
                "last_seen_seconds_ago",
                w.lastSeenAt() == null
                        ? 0
                        : Duration.between(w.lastSeenAt(), now).toSeconds());
        return o;
    }

    static ObjectNode queue(QueueStats s) {
        ObjectNode o = F.objectNode();
        o.put("queue", s.queue());
        o.put("paused", s.paused());
        o.put("due", s.dueAvailable());
        o.put("scheduled", Math.max(0, s.count(ExecutionState.AVAILABLE) - s.dueAvailable()));
        for (ExecutionState st : ExecutionState.values()) {
            o.put(st.dbName(), s.count(st));
        }
        o.put("oldest_due_age_seconds", s.oldestDueAge().toMillis() / 1000.0);
        o.put("finished_last_minute", s.finishedLastMinute());
        o.put("capped", s.capped());
        time(o, "computed_at", s.computedAt());
        return o;
    }

    static ObjectNode explanation(ExecutionView v, Explanation e) {
        ObjectNode o = F.objectNode();
        o.put("id", v.id());
        o.put("state", v.state().dbName());
        o.put("reason", e.reason().code());
        o.put("summary", e.summary());
        ArrayNode notes = o.putArray("notes");
        e.notes().forEach(notes::add);
        o.put("hint", e.hint());
        time(o, "checked_at", v.now());
        return o;
    }

    static void time(ObjectNode o, String field, Instant t) {
        if (t == null) {
            o.putNull(field);
        } else {
            o.put(field, t.toString());
        }
    }

    /** Stored JSON text as a tree; text that does not parse (it always should) is kept as a string. */
    static JsonNode embedded(String json) {
        if (json == null) {
            return F.nullNode();
        }
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            return F.stringNode(json);
        }
    }
}
