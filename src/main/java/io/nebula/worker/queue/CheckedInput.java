package io.nebula.worker.queue;

import tools.jackson.databind.JsonNode;

/**
 * An execution input that {@link InputGuard#parse} accepted: the text as given and the value it
 * parsed to. Only the guard makes one, so a {@link SubmitRequest} carrying it is known to be
 * acceptable JSON and the store checks no more than its size.
 */
public final class CheckedInput {
    private final String json;
    private final JsonNode value;

    CheckedInput(String json, JsonNode value) {
        this.json = json;
        this.value = value;
    }

    /** The input as given, which the store keeps. */
    public String json() {
        return json;
    }

    /** The parsed input, for checks against a schema; not to be changed. */
    public JsonNode value() {
        return value;
    }
}
