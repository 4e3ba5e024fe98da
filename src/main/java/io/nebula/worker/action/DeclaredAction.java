package io.nebula.worker.action;

import tools.jackson.databind.JsonNode;

/**
 * An action a plugin jar declares by name, known to commands that check definitions without
 * running plugin code. It accepts any params (the worker that loads the jar checks them) and
 * cannot run here.
 */
final class DeclaredAction implements Action {
    private final String name;
    private final String jar;

    DeclaredAction(String name, String jar) {
        this.name = name;
        this.jar = jar;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException {
        throw ActionException.permanent(
                "action '" + name + "' of plugin " + jar + " was only declared in this process, not loaded");
    }
}
