package io.nebula.worker.schedule;

import io.nebula.worker.observe.Tracing;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.ScheduleDue;
import io.nebula.worker.queue.ScheduleFire;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due cron schedules. Every worker runs one, once a second; they race safely: each pass
 * over a schedule is one store transaction that locks the schedule's row and checks its next fire
 * time is still the one read, and each fired execution carries the idempotency key {@code
 * schedule:<name>:<fire time>}, which the database's unique index allows once. So whichever
 * worker fires, and whichever dies halfway, a schedule gets exactly one execution per fire time.
 *
 * <p>Time is the database's: {@link #runOnce()} asks the store which schedules are due by its
 * clock. Tests call {@link #runAt(Instant)} with fixed instants instead, and never sleep.
 */
public final class Scheduler {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /** How often each worker looks for due schedules. */
    public static final Duration INTERVAL = Duration.ofSeconds(1);

    /** The most schedules one pass fires; the rest are due in the next pass. */
    static final int BATCH = 100;

    private final ExecutionStore store;
    private final WorkerListener listener;
    private final Tracing tracing;
    private final Map<String, CronSchedule> parsed = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public Scheduler(ExecutionStore store, WorkerListener listener) {
        this(store, listener, Tracing.OFF);
    }

    /** A scheduler whose every fire begins a new trace ({@code submit} span when tracing is on). */
    public Scheduler(ExecutionStore store, WorkerListener listener, Tracing tracing) {
        this.store = store;
        this.listener = listener;
        this.tracing = tracing;
    }

    /** One pass by the database clock. Returns how many executions it created. */
    public int runOnce() {
        return runAt(null);
    }

    /**
     * One pass as if the time were {@code now} ({@code null}: the database clock). Returns how
     * many executions it created.
     */
    public int runAt(Instant now) {
        ScheduleDue due = store.scheduleDue(now, BATCH);
        int created = 0;
        for (Schedule s : due.schedules()) {
            try {
                created += fire(s, due.now());
            } catch (InvalidScheduleException e) {
                if (warned.add(s.name() + "\u0000" + s.cron() + "\u0000" + s.timezone())) {
                    log.warn("schedule cannot fire schedule={} error={}", s.name(), e.getMessage());
                }
            }
        }
        return created;
    }

    private int fire(Schedule s, Instant now) {
        CronSchedule cron = parsed.computeIfAbsent(
                s.cron() + "\u0000" + s.timezone(), k -> CronSchedule.parse(s.cron(), s.timezone()));
        FirePlan plan = FirePlan.of(cron, s.nextFireAt(), now, s.catchUp());
        List<Instant> fires = plan.fires();
        long overlapSkipped = 0;
        if (s.overlap() == Schedule.Overlap.SKIP && fires.size() > 1) {
            // The first of several would still run when the next fires: keep only the latest.
            overlapSkipped = fires.size() - 1;
            fires = List.of(fires.getLast());
        }
        List<SubmitRequest> requests = new ArrayList<>(fires.size());
        for (Instant t : fires) {
            requests.add(new SubmitRequest(
                    s.queue(),
                    s.workflowHash(),
                    s.workflowName(),
                    s.inputJson(),
                    0,
                    null,
                    null,
                    s.maxAttempts(),
                    Schedule.idempotencyKey(s.name(), t),
                    tracing.submit(null, s.workflowName(), s.queue())));
        }
        ScheduleFire.Result r = store.scheduleFire(new ScheduleFire(
                s.name(), s.nextFireAt(), fires, requests, plan.next(), s.overlap() == Schedule.Overlap.SKIP));
        switch (r.outcome()) {
            case STALE -> {
                return 0;
            }
            case SKIPPED_OVERLAP -> {
                overlapSkipped += fires.size();
                log.info(
                        "schedule skipped: previous execution still running schedule={} fire_time={} next_fire_at={}",
                        s.name(),
                        fires.getLast(),
                        plan.next());
            }
            case FIRED -> {}
        }
        if (overlapSkipped > 0) {
            listener.scheduleSkipped(s.name(), "overlap", overlapSkipped);
        }
        if (plan.missedSkipped() > 0) {
            listener.scheduleSkipped(s.name(), "missed", plan.missedSkipped());
            log.info(
                    "schedule skipped missed fire times schedule={} skipped={} catch_up={}",
                    s.name(),
                    plan.missedSkipped(),
                    s.catchUp());
        }
        int created = 0;
        for (int i = 0; i < r.submitted().size(); i++) {
            Submitted sub = r.submitted().get(i);
            if (!sub.created()) {
                continue;
            }
            created++;
            Instant t = fires.get(i);
            Duration lag = Duration.between(t, now);
            listener.scheduleFired(s.name(), lag.isNegative() ? Duration.ZERO : lag);
            log.info(
                    "schedule fired schedule={} fire_time={} execution_id={} lag_ms={}",
                    s.name(),
                    t,
                    sub.executionId(),
                    lag.toMillis());
        }
        return created;
    }
}
