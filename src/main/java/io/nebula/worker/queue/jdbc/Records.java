package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionSummary;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.SignalView;

/** Maps result rows to the store port's records, the same way for both dialects. */
final class Records {
    private Records() {}

    static NodeResult nodeResult(Row r) {
        return new NodeResult(
                r.string("node_id"),
                NodeStatus.parse(r.string("status")),
                r.string("output"),
                r.string("error"),
                r.getInt("attempt"),
                r.instant("started_at"),
                r.instant("finished_at"),
                // Loading checkpoints for a resumed attempt leaves the tries out: the runtime
                // never needs them, and the statement that replaces a failed row keeps them.
                r.has("tries") ? TriesColumn.read(r.string("tries")) : java.util.List.of());
    }

    static ExecutionView view(Row r) {
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
                r.string("last_event"),
                r.instant("db_now"));
    }

    static ExecutionSummary summary(Row r) {
        return new ExecutionSummary(
                r.getLong("id"),
                r.string("queue"),
                r.string("workflow_hash"),
                r.string("workflow_name"),
                ExecutionState.parse(r.string("state")),
                r.getInt("priority"),
                r.instant("run_at"),
                r.getInt("attempt"),
                r.getInt("max_attempts"),
                r.string("lease_owner"),
                r.instant("created_at"),
                r.instant("started_at"),
                r.instant("finished_at"),
                r.string("last_error"),
                r.bool("cancel_requested"),
                r.string("idempotency_key"),
                r.string("last_event"));
    }

    static Schedule schedule(Row r) {
        return new Schedule(
                r.string("name"),
                r.string("workflow_hash"),
                r.string("workflow_name"),
                r.string("cron"),
                r.string("timezone"),
                r.string("input"),
                r.string("queue"),
                r.getInt("max_attempts"),
                Schedule.Overlap.parse(r.string("overlap")),
                Schedule.CatchUp.parse(r.string("catch_up")),
                r.bool("paused"),
                r.instant("next_fire_at"),
                r.instant("last_fire_at"),
                r.isNull("last_execution_id") ? null : r.getLong("last_execution_id"),
                r.instant("created_at"),
                r.instant("updated_at"),
                r.instant("db_now"));
    }

    static SignalView signal(Row r) {
        return new SignalView(
                r.string("name"),
                r.string("data"),
                r.instant("received_at"),
                r.string("node_id"),
                r.instant("waiting_since"),
                r.instant("timeout_at"),
                r.instant("db_now"));
    }
}
