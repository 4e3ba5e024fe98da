package io.nebula.worker.queue;

import java.time.Instant;
import java.util.List;

/**
 * The schedules due at one instant, as {@link ExecutionStore#scheduleDue} read them.
 *
 * @param now the instant they are due at: the database clock, or the caller's fixed instant
 * @param schedules active schedules whose next fire time is at or before {@code now}, oldest first
 */
public record ScheduleDue(Instant now, List<Schedule> schedules) {
    public ScheduleDue {
        schedules = List.copyOf(schedules);
    }
}
