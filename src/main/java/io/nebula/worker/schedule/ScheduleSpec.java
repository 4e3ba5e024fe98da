package io.nebula.worker.schedule;

import io.nebula.worker.queue.Schedule;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A schedule as someone declares it (on the command line or in a schedule file), before it is
 * checked and stored. Optional parts are {@code null} and take their defaults when resolved.
 *
 * @param workflow the workflow definition file
 * @param timezone an IANA zone; {@code null} means UTC
 * @param inputJson the input of every fired execution; {@code null} means {@code {}}
 * @param queue {@code null} means the caller's default queue
 * @param overlap {@code null} means {@code allow}
 * @param catchUp {@code null} means {@code latest}
 * @param maxRetries {@code null} means the workflow's {@code max_retries}, else the worker's
 * @param paused {@code null} keeps a stored schedule's pause state (a new one starts active)
 * @param where where it was declared, for messages ("schedules.yaml line 4: schedules[0]"); empty
 *     for the command line
 */
public record ScheduleSpec(
        String name,
        Path workflow,
        String cron,
        String timezone,
        String inputJson,
        String queue,
        Schedule.Overlap overlap,
        Schedule.CatchUp catchUp,
        Integer maxRetries,
        Boolean paused,
        String where) {

    /** Names a schedule can have: they become part of idempotency keys and command arguments. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public ScheduleSpec {
        Objects.requireNonNull(workflow, "workflow");
        where = where == null ? "" : where;
    }

    /** Checks a schedule name, with a message saying what is allowed. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidScheduleException("schedule name '" + name
                    + "' is not valid: use 1 to 64 letters, digits, _ . - (starting with a letter or digit)");
        }
        return name;
    }

    /** {@code where} followed by ": ", or nothing, to prefix a message. */
    public String prefix() {
        return where.isEmpty() ? "" : where + ": ";
    }
}
