package io.nebula.worker.action.builtin;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ParamReader;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code fail}: fails with {@code message}, retryable when {@code retryable} is true (default
 * false). With {@code times: N} it fails only while the execution attempt is at most N and
 * succeeds after, which makes retry paths easy to demonstrate. Node retries inside one attempt see
 * the same attempt number, so {@code times} counts execution attempts, not node tries; set {@code
 * per_node_try: true} to count node tries instead.
 */
public final class FailAction implements Action {
    private static final Set<String> PARAMS = Set.of("message", "retryable", "times", "per_node_try");

    @Override
    public String name() {
        return "fail";
    }

    @Override
    public List<String> validate(JsonNode params) {
        ParamReader r = ParamReader.forValidation(params);
        read(r);
        return r.problems();
    }

    private record Params(String message, boolean retryable, Long times, boolean perNodeTry) {}

    private static Params read(ParamReader r) {
        r.rejectUnknown(PARAMS);
        String message = r.string("message", false);
        Boolean retryable = r.bool("retryable", false);
        Long times = r.integer("times", false, 0, 1_000);
        Boolean perNode = r.bool("per_node_try", false);
        return new Params(
                message == null ? "failed on purpose" : message,
                Boolean.TRUE.equals(retryable),
                times,
                Boolean.TRUE.equals(perNode));
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException {
        ParamReader r = ParamReader.forExecution(params);
        Params p = read(r);
        r.throwIfInvalid();
        int count = p.perNodeTry() ? ctx.nodeAttempt() : ctx.attempt();
        if (p.times() != null && count > p.times()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("failed_times", p.times());
            out.put("succeeded_on", count);
            return out;
        }
        throw p.retryable() ? ActionException.retryable(p.message()) : ActionException.permanent(p.message());
    }

    /** Pure and immediate: the runtime may call it on the execution's thread. */
    @Override
    public boolean nonBlocking() {
        return true;
    }
}
