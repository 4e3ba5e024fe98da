package io.nebula.worker.schedule;

import io.nebula.worker.queue.Schedule.CatchUp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What one scheduler pass does with one due schedule: which of its due fire times to fire, how
 * many to skip, and the next fire time after that. Pure: the same schedule and instant always give
 * the same plan, whichever worker computes it.
 *
 * <p>A due fire time no older than {@link #GRACE} is on time and always fires: the scheduler runs
 * every second on every worker, so only an outage (no worker running, or the database gone) makes
 * one older. Older ones are missed, and the schedule's catch-up decides: {@code latest} fires the
 * most recent missed time (unless an on-time one is due, which is more recent still), a number N
 * the N most recent, {@code none} none. The walk over missed times is bounded: after {@link
 * #WALK_LIMIT} of them (a frequent schedule after a long outage) it jumps close to now, and the
 * skip count then covers only the times it walked.
 *
 * @param fires the fire times to fire, oldest first
 * @param missedSkipped missed fire times skipped (not fired)
 * @param next the first fire time after {@code now}
 */
public record FirePlan(List<Instant> fires, long missedSkipped, Instant next) {
    /** How late a fire time may be and still count as on time. */
    public static final Duration GRACE = Duration.ofSeconds(10);

    /** The most fire times one plan walks one by one. */
    static final int WALK_LIMIT = 10_000;

    public FirePlan {
        fires = List.copyOf(fires);
    }

    /** The plan for a schedule whose first unhandled fire time is {@code from}, at {@code now}. */
    public static FirePlan of(CronSchedule cron, Instant from, Instant now, CatchUp catchUp) {
        Instant cutoff = now.minus(GRACE);
        Deque<Instant> missed = new ArrayDeque<>();
        List<Instant> onTime = new ArrayList<>();
        long missedCount = 0;
        int walked = 0;
        Instant t = from;
        while (!t.isAfter(now)) {
            if (t.isBefore(cutoff)) {
                missedCount++;
                missed.addLast(t);
                if (missed.size() > catchUp.count()) {
                    missed.removeFirst();
                }
            } else {
                onTime.add(t);
            }
            t = cron.nextAfter(t);
            if (++walked == WALK_LIMIT && t.isBefore(cutoff)) {
                // Too many to walk: continue just before the last missed times worth keeping.
                Instant resume = cutoff;
                for (int i = 0; i < Math.max(1, catchUp.count()); i++) {
                    resume = cron.previousBefore(resume);
                }
                if (resume.isAfter(t)) {
                    missed.clear();
                    t = resume;
                }
            }
        }
        List<Instant> fires = new ArrayList<>();
        if (catchUp.count() == 1 && !onTime.isEmpty()) {
            // latest: an on-time fire is the latest; missed ones before it are all skipped
            missed.clear();
        }
        fires.addAll(missed);
        fires.addAll(onTime);
        long skipped = missedCount - missed.size();
        return new FirePlan(fires, Math.max(0, skipped), t);
    }
}
