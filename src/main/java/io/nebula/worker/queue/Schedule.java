package io.nebula.worker.queue;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A stored cron schedule: what it submits (a stored workflow definition, an input, a queue), when
 * (a cron expression read in a time zone) and how it treats overlaps and missed fire times; plus
 * its run state: whether it is paused, the first fire time not yet handled, and the last fire.
 *
 * @param cron the cron expression as given (five Unix fields, or six with seconds first)
 * @param timezone the IANA zone the expression is read in, e.g. {@code Europe/Berlin}
 * @param maxAttempts attempts each fired execution gets (max_retries + 1)
 * @param nextFireAt the first fire time not yet fired or skipped
 * @param lastFireAt the fire time of the last execution fired, or {@code null}
 * @param lastExecutionId the execution fired last, or {@code null}
 * @param now the database clock when the row was read ({@code null} for a schedule not yet stored)
 */
public record Schedule(
        String name,
        String workflowHash,
        String workflowName,
        String cron,
        String timezone,
        String inputJson,
        String queue,
        int maxAttempts,
        Overlap overlap,
        CatchUp catchUp,
        boolean paused,
        Instant nextFireAt,
        Instant lastFireAt,
        Long lastExecutionId,
        Instant createdAt,
        Instant updatedAt,
        Instant now) {

    public Schedule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(workflowHash, "workflowHash");
        Objects.requireNonNull(workflowName, "workflowName");
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(timezone, "timezone");
        Objects.requireNonNull(inputJson, "inputJson");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(overlap, "overlap");
        Objects.requireNonNull(catchUp, "catchUp");
        Objects.requireNonNull(nextFireAt, "nextFireAt");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
    }

    /** A new schedule's definition, not yet stored: active, never fired. */
    public static Schedule define(
            String name,
            String workflowHash,
            String workflowName,
            String cron,
            String timezone,
            String inputJson,
            String queue,
            int maxAttempts,
            Overlap overlap,
            CatchUp catchUp,
            Instant nextFireAt) {
        return new Schedule(
                name,
                workflowHash,
                workflowName,
                cron,
                timezone,
                inputJson,
                queue,
                maxAttempts,
                overlap,
                catchUp,
                false,
                nextFireAt,
                null,
                null,
                null,
                null,
                null);
    }

    public Schedule withPaused(boolean p) {
        return new Schedule(
                name,
                workflowHash,
                workflowName,
                cron,
                timezone,
                inputJson,
                queue,
                maxAttempts,
                overlap,
                catchUp,
                p,
                nextFireAt,
                lastFireAt,
                lastExecutionId,
                createdAt,
                updatedAt,
                now);
    }

    public Schedule withNextFireAt(Instant t) {
        return new Schedule(
                name,
                workflowHash,
                workflowName,
                cron,
                timezone,
                inputJson,
                queue,
                maxAttempts,
                overlap,
                catchUp,
                paused,
                t,
                lastFireAt,
                lastExecutionId,
                createdAt,
                updatedAt,
                now);
    }

    /** Whether both fire at the same times: same cron expression and time zone. */
    public boolean sameTiming(Schedule o) {
        return cron.equals(o.cron) && timezone.equals(o.timezone);
    }

    /**
     * Whether both submit the same thing the same way (the definition a schedule file declares),
     * ignoring the run state (pause, next and last fire). Inputs are compared as given; callers
     * compare canonical JSON.
     */
    public boolean sameDefinition(Schedule o) {
        return sameTiming(o)
                && workflowHash.equals(o.workflowHash)
                && workflowName.equals(o.workflowName)
                && inputJson.equals(o.inputJson)
                && queue.equals(o.queue)
                && maxAttempts == o.maxAttempts
                && overlap == o.overlap
                && catchUp.equals(o.catchUp);
    }

    /** The idempotency key of the execution fired for {@code fireTime}: one per schedule and time. */
    public static String idempotencyKey(String name, Instant fireTime) {
        return "schedule:" + name + ":" + fireTime;
    }

    /** What to do when a fire time comes while the previous execution still runs. */
    public enum Overlap {
        /** Fire anyway. */
        ALLOW,
        /** Skip this fire time (counted as a skip). */
        SKIP;

        public String dbName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Overlap parse(String text) {
            for (Overlap o : values()) {
                if (o.dbName().equalsIgnoreCase(text.trim())) {
                    return o;
                }
            }
            throw new IllegalArgumentException("overlap must be allow or skip, not '" + text + "'");
        }
    }

    /**
     * How many missed fire times to fire after the scheduler could not run (an outage): {@code
     * latest} (1, the default) fires only the latest, {@code none} (0) fires none, a number N fires
     * the latest N. Fire times that are not missed (see the scheduler) always fire.
     */
    public record CatchUp(int count) {
        /** The most missed fire times one pass fires. */
        public static final int MAX = 100;

        public static final CatchUp LATEST = new CatchUp(1);
        public static final CatchUp NONE = new CatchUp(0);

        public CatchUp {
            if (count < 0 || count > MAX) {
                throw new IllegalArgumentException("catch-up must be from 0 to " + MAX + ", not " + count);
            }
        }

        /** Parses {@code latest}, {@code none} or a whole number from 0 to {@link #MAX}. */
        public static CatchUp parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.equals("latest")) {
                return LATEST;
            }
            if (t.equals("none")) {
                return NONE;
            }
            try {
                return new CatchUp(Integer.parseInt(t));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "catch-up must be latest, none or a number from 0 to " + MAX + ", not '" + text + "'");
            }
        }

        /** {@code latest}, {@code none} or the number: the form {@link #parse} reads back. */
        @Override
        public String toString() {
            return count == 0 ? "none" : count == 1 ? "latest" : Integer.toString(count);
        }
    }
}
