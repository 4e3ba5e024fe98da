package io.nebula.worker.action.builtin;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ParamReader;
import io.nebula.worker.action.SignalInbox;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code signal}: waits for a signal from outside the workflow ({@code nebula-worker executions
 * signal ID NAME --data JSON}, or the Java client) and outputs its data. A signal delivered before
 * the node runs is used at once; otherwise the execution is parked durably, its worker slot free,
 * until the signal arrives or {@code timeout_seconds} pass. On timeout the node fails, or, with
 * {@code on_timeout: continue}, succeeds with the output {@code {"timed_out": true, "signal":
 * NAME}} so a {@code when} can branch on it.
 *
 * <p>Params: {@code name} (required: letters, digits, {@code _ . : -}, at most 64 characters),
 * {@code timeout_seconds} (optional, up to a year), {@code on_timeout} ({@code fail}, the
 * default, or {@code continue}).
 */
public final class SignalAction implements Action {
    /** Names a signal can have; the command line and the store accept the same. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

    /** This action's name, as definitions write it. */
    public static final String ACTION = "signal";

    private static final double MAX_TIMEOUT_SECONDS = Duration.ofDays(366).toSeconds();

    private record Params(String name, Duration timeout, boolean continueOnTimeout) {}

    @Override
    public String name() {
        return ACTION;
    }

    @Override
    public java.util.List<String> validate(JsonNode params) {
        ParamReader r = ParamReader.forValidation(params);
        read(r);
        return r.problems();
    }

    private static Params read(ParamReader r) {
        r.rejectUnknown(Set.of("name", "timeout_seconds", "on_timeout"));
        String name = r.string("name", true);
        if (name != null && !NAME.matcher(name).matches()) {
            r.problem("name: must be 1 to 64 letters, digits, _ . : - (starting with a letter or digit), got '" + name
                    + "'");
        }
        Double seconds = r.number("timeout_seconds", false, 0.001, MAX_TIMEOUT_SECONDS);
        String onTimeout = r.string("on_timeout", false);
        if (onTimeout != null && !onTimeout.equals("fail") && !onTimeout.equals("continue")) {
            r.problem("on_timeout: must be fail or continue, got '" + onTimeout + "'");
        }
        if (onTimeout != null
                && onTimeout.equals("continue")
                && seconds == null
                && r.problems().isEmpty()) {
            r.problem("on_timeout: continue needs timeout_seconds");
        }
        return new Params(
                name,
                seconds == null ? null : Duration.ofMillis(Math.round(seconds * 1000)),
                "continue".equals(onTimeout));
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException {
        ParamReader r = ParamReader.forExecution(params);
        Params p = read(r);
        r.throwIfInvalid();
        Optional<SignalInbox.Entry> found = ctx.signals().find(p.name(), ctx.values());
        if (found.isPresent() && found.get().delivered()) {
            return found.get().data();
        }
        if (found.isPresent() && found.get().timedOut()) {
            if (!p.continueOnTimeout()) {
                throw ActionException.permanent("no signal '" + p.name() + "' arrived within "
                        + seconds(p.timeout()) + " (waiting since "
                        + found.get().waitingSince()
                        + ", timed out at " + found.get().timeoutAt() + ")");
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("timed_out", true);
            out.put("signal", p.name());
            return out;
        }
        throw ActionException.awaitSignal(p.name(), p.timeout());
    }

    private static String seconds(Duration d) {
        if (d == null) {
            return "its timeout";
        }
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
