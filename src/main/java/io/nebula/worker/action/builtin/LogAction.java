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
 * {@code log}: writes {@code message} (a string) at INFO, or at the {@code level} given (debug,
 * info, warn, error), through the node's logger; returns {@code {"message": ...}}.
 */
public final class LogAction implements Action {
    private static final Set<String> PARAMS = Set.of("message", "level");
    private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error");

    @Override
    public String name() {
        return "log";
    }

    @Override
    public List<String> validate(JsonNode params) {
        ParamReader r = ParamReader.forValidation(params);
        read(r);
        return r.problems();
    }

    private static String[] read(ParamReader r) {
        r.rejectUnknown(PARAMS);
        String message = r.string("message", true);
        String level = r.string("level", false);
        if (level != null && !LEVELS.contains(level)) {
            r.problem("level: must be one of debug, info, warn, error, got '" + level + "'");
        }
        return new String[] {message, level == null ? "info" : level};
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException {
        ParamReader r = ParamReader.forExecution(params);
        String[] p = read(r);
        r.throwIfInvalid();
        String message = p[0];
        switch (p[1]) {
            case "debug" -> ctx.logger().debug("{}", message);
            case "warn" -> ctx.logger().warn("{}", message);
            case "error" -> ctx.logger().error("{}", message);
            default -> ctx.logger().info("{}", message);
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("message", message);
        return out;
    }
}
