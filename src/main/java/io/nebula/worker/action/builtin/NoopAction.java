package io.nebula.worker.action.builtin;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ParamReader;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** {@code noop}: does nothing and returns {@code null}; a placeholder or a pure join point. */
public final class NoopAction implements Action {
    @Override
    public String name() {
        return "noop";
    }

    @Override
    public List<String> validate(JsonNode params) {
        ParamReader r = ParamReader.forValidation(params);
        r.rejectUnknown(Set.of());
        return r.problems();
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) {
        return JsonNodeFactory.instance.nullNode();
    }

    /** Pure and immediate: the runtime may call it on the execution's thread. */
    @Override
    public boolean nonBlocking() {
        return true;
    }
}
