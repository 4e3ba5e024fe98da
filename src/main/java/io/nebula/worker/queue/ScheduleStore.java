package io.nebula.worker.queue;

import java.util.List;
import java.util.Optional;

/** Schedules: stored, paused and deleted by operators; found due and fired by the workers. */
public interface ScheduleStore {

    /**
     * Stores a new schedule; the workflow it names must be stored already.
     *
     * @return {@code false} when a schedule with that name exists (nothing changed)
     */
    boolean scheduleCreate(Schedule schedule);

    /**
     * Creates or replaces a schedule's definition, pause state and next fire time; the record of
     * its last fire is kept.
     */
    void scheduleSave(Schedule schedule);

    Optional<Schedule> scheduleGet(String name);

    /** Every schedule, by name. */
    List<Schedule> scheduleList();

    /**
     * Pauses or resumes a schedule. A resume with {@code nextFireAt} moves the next fire time
     * there (so time spent paused is not caught up); {@code null} keeps it.
     *
     * @return {@code false} when there is no such schedule
     */
    boolean schedulePause(String name, boolean paused, java.time.Instant nextFireAt);

    /** Deletes a schedule; executions it fired stay. Returns {@code false} when there was none. */
    boolean scheduleDelete(String name);

    /**
     * Active schedules whose next fire time is at or before {@code asOf}, oldest first, at most
     * {@code limit}. {@code asOf} is {@code null} in production (the database clock is used) and a
     * fixed instant in tests.
     */
    ScheduleDue scheduleDue(java.time.Instant asOf, int limit);

    /**
     * Fires one due schedule in one transaction (see {@link ScheduleFire}). Safe to call from many
     * workers at once: the schedule's row is locked while it fires, a caller that read an older
     * next fire time gets {@code STALE}, and the database's unique idempotency key allows one
     * execution per schedule and fire time whatever happens.
     */
    ScheduleFire.Result scheduleFire(ScheduleFire fire);
}
