package io.nebula.worker.action.builtin;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ParamReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code delay}: waits {@code seconds} or {@code ms} counted from the node's start. A wait up to
 * {@code inlineMax} sleeps in place (interruptibly); a longer one {@linkplain
 * ActionException#suspendUntil suspends}, so the runtime releases the execution with a run-at
 * time and any worker resumes it later with this node already done. Output: {@code {"until":
 * "<ISO instant>"}}.
 */
public final class DelayAction implements Action {
    /** Thirty days: a longer wait is more likely a unit mistake than a plan. */
    private static final long MAX_MS = Duration.ofDays(30).toMillis();

    private final Duration inlineMax;
    private final Clock clock;

    public DelayAction(Duration inlineMax, Clock clock) {
        this.inlineMax = inlineMax;
        this.clock = clock;
    }

    public DelayAction(Duration inlineMax) {
        this(inlineMax, Clock.systemUTC());
    }

    @Override
    public String name() {
        return "delay";
    }

    @Override
    public List<String> validate(JsonNode params) {
        ParamReader r = ParamReader.forValidation(params);
        read(r, false);
        return r.problems();
    }

    private static Duration read(ParamReader r, boolean resolved) {
        r.rejectUnknown(Set.of("seconds", "ms"));
        Double seconds = r.number("seconds", false, 0, MAX_MS / 1000.0);
        Long ms = r.integer("ms", false, 0, MAX_MS);
        if (seconds != null && ms != null) {
            r.problem("seconds: give seconds or ms, not both");
        }
        if (seconds != null) {
            return Duration.ofMillis(Math.round(seconds * 1000));
        }
        if (ms != null) {
            return Duration.ofMillis(ms);
        }
        if (resolved) {
            r.problem("seconds: give seconds or ms");
        }
        return null;
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException {
        ParamReader r = ParamReader.forExecution(params);
        Duration wait = read(r, true);
        r.throwIfInvalid();
        Instant until = ctx.startedAt().plus(wait);
        Duration remaining = Duration.between(clock.instant(), until);
        if (remaining.compareTo(inlineMax) > 0) {
            throw ActionException.suspendUntil(until, "delay until " + until);
        }
        if (remaining.isPositive()) {
            // Thread.sleep is interruptible: a stop or a node timeout ends the wait at once.
            Thread.sleep(remaining);
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("until", until.toString());
        return out;
    }
}
