package io.nebula.worker.action.builtin;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ParamReader;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * {@code transform}: returns its resolved {@code value} parameter. With expressions inside
 * {@code value} this builds new JSON from the input and upstream outputs without side effects.
 */
public final class TransformAction implements Action {
    @Override
    public String name() {
        return "transform";
    }

    @Override
    public List<String> validate(JsonNode params) {
        ParamReader r = ParamReader.forValidation(params);
        r.rejectUnknown(Set.of("value"));
        r.value("value", true);
        return r.problems();
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException {
        ParamReader r = ParamReader.forExecution(params);
        JsonNode value = r.value("value", true);
        r.throwIfInvalid();
        return value == null ? JsonNodeFactory.instance.nullNode() : value;
    }

    /** Pure and immediate: the runtime may call it on the execution's thread. */
    @Override
    public boolean nonBlocking() {
        return true;
    }
}
