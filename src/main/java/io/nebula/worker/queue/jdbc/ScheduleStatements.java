package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.ScheduleDue;
import io.nebula.worker.queue.ScheduleFire;
import io.nebula.worker.queue.ScheduleStore;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Cron schedules: their definitions for operators, and the fire pass every worker's scheduler
 * runs. A fire is one transaction that locks the schedule's row, checks it still has the next fire
 * time the caller read, submits through the store's own submit (so the idempotency key
 * {@code schedule:<name>:<fire time>} is enforced by the same unique index as any submit) and
 * advances the schedule.
 */
final class ScheduleStatements implements ScheduleStore {
    /** Inserts executions inside a fire's transaction and arranges their wake-ups. */
    @FunctionalInterface
    interface Submitter {
        List<Submitted> submit(Session s, List<SubmitRequest> requests) throws SQLException;
    }

    private final Database db;
    private final long maxInputBytes;
    private final long maxInputValues;
    private final Enqueuing enqueuing;

    ScheduleStatements(Database db, long maxInputBytes, long maxInputValues, Enqueuing enqueuing) {
        this.db = db;
        this.maxInputBytes = maxInputBytes;
        this.maxInputValues = maxInputValues;
        this.enqueuing = enqueuing;
    }

    @Override
    public boolean scheduleCreate(Schedule s) {
        InputGuard.checkQueue(s.queue(), "schedule");
        InputGuard.check(s.inputJson(), maxInputBytes, maxInputValues, "schedule '" + s.name() + "'", "input");
        return !db.run("schedule_create", Mode.SINGLE, false, x -> x.query("schedule_create", params(s)))
                .isEmpty();
    }

    @Override
    public void scheduleSave(Schedule s) {
        InputGuard.checkQueue(s.queue(), "schedule");
        InputGuard.check(s.inputJson(), maxInputBytes, maxInputValues, "schedule '" + s.name() + "'", "input");
        db.run("schedule_save", Mode.SINGLE, true, x -> x.update("schedule_save", params(s)));
    }

    private static Params params(Schedule s) {
        return Params.of("name", s.name())
                .set("workflow_hash", s.workflowHash())
                .set("workflow_name", s.workflowName())
                .set("cron", s.cron())
                .set("timezone", s.timezone())
                .set("input", s.inputJson())
                .set("queue", s.queue())
                .set("max_attempts", s.maxAttempts())
                .set("overlap", s.overlap().dbName())
                .set("catch_up", s.catchUp().toString())
                .set("paused", s.paused())
                .set("next_fire_at", s.nextFireAt());
    }

    @Override
    public Optional<Schedule> scheduleGet(String name) {
        List<Row> rows = db.run("schedule_get", Mode.READ, true, s -> s.query("schedule_get", Params.of("name", name)));
        return rows.stream().findFirst().map(Records::schedule);
    }

    @Override
    public List<Schedule> scheduleList() {
        List<Row> rows = db.run("schedule_list", Mode.READ, true, s -> s.query("schedule_list", Params.of()));
        return rows.stream().map(Records::schedule).toList();
    }

    @Override
    public boolean schedulePause(String name, boolean paused, Instant nextFireAt) {
        Params p = Params.of("name", name).set("paused", paused).set("next_fire_at", nextFireAt);
        return !db.run("schedule_pause", Mode.SINGLE, true, s -> s.query("schedule_pause", p))
                .isEmpty();
    }

    @Override
    public boolean scheduleDelete(String name) {
        return !db.run("schedule_delete", Mode.SINGLE, true, s -> s.query("schedule_delete", Params.of("name", name)))
                .isEmpty();
    }

    @Override
    public ScheduleDue scheduleDue(Instant asOf, int limit) {
        Params p = Params.of("as_of", asOf).set("limit", limit);
        List<Row> rows = db.run("schedule_due", Mode.READ, true, s -> s.query("schedule_due", p));
        List<Schedule> due = rows.stream().map(Records::schedule).toList();
        Instant now = due.isEmpty() ? asOf : due.get(0).now();
        return new ScheduleDue(now, due);
    }

    @Override
    public ScheduleFire.Result scheduleFire(ScheduleFire fire) {
        Set<String> queues = new HashSet<>();
        ScheduleFire.Result r = scheduleFire(fire, (s, requests) -> {
            List<Submitted> out = enqueuing.insertExecutions(s, requests, false);
            if (out.stream().anyMatch(Submitted::created)) {
                requests.forEach(q -> queues.add(q.queue()));
                if (!enqueuing.announcesOnInsert()) {
                    enqueuing.announce(s, queues);
                }
            }
            return out;
        });
        if (!queues.isEmpty()) {
            enqueuing.afterCommit(queues);
        }
        return r;
    }

    /**
     * Runs one fire pass (see {@link ScheduleFire}). Safe to resend after a lost connection: a pass
     * that committed moved the next fire time, so the resend finds the schedule stale.
     */
    private ScheduleFire.Result scheduleFire(ScheduleFire f, Submitter submitter) {
        return db.run("schedule_fire", Mode.TRANSACTION, true, s -> {
            List<Row> locked =
                    s.query("schedule_lock", Params.of("name", f.name()).set("expected", f.expectedNextFireAt()));
            if (locked.isEmpty()) {
                return new ScheduleFire.Result(ScheduleFire.Outcome.STALE, List.of());
            }
            String lastState = locked.get(0).string("last_state");
            boolean previousRunning =
                    lastState != null && !ExecutionState.parse(lastState).isTerminal();
            if (f.skipIfPreviousRunning() && previousRunning && !f.requests().isEmpty()) {
                advance(s, f.name(), f.nextFireAt(), null, null);
                return new ScheduleFire.Result(ScheduleFire.Outcome.SKIPPED_OVERLAP, List.of());
            }
            List<Submitted> submitted = f.requests().isEmpty() ? List.of() : submitter.submit(s, f.requests());
            Instant lastFire = f.fireTimes().isEmpty() ? null : f.fireTimes().getLast();
            Long lastId = submitted.isEmpty() ? null : submitted.getLast().executionId();
            advance(s, f.name(), f.nextFireAt(), lastFire, lastId);
            return new ScheduleFire.Result(ScheduleFire.Outcome.FIRED, submitted);
        });
    }

    private static void advance(Session s, String name, Instant next, Instant lastFire, Long lastId)
            throws SQLException {
        s.update(
                "schedule_advance",
                Params.of("name", name)
                        .set("next_fire_at", next)
                        .set("last_fire_at", lastFire)
                        .set("last_execution_id", lastId));
    }
}
