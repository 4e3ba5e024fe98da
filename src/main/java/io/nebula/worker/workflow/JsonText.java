package io.nebula.worker.workflow;

import io.nebula.worker.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * JSON values to and from their text, with the values every execution produces handled without
 * Jackson's generator or parser: {@code null}, booleans, and empty objects and arrays. Outputs of
 * actions such as {@code noop} and executions without an output mapping are {@code null}, and most
 * inputs of small workflows are {@code {}}; serialising them through a generator (a pooled buffer,
 * a writer, a flush) cost more per execution than running the workflow.
 */
public final class JsonText {
    private static final JsonMapper JSON = Json.MAPPER;

    private JsonText() {}

    /** The compact JSON text of {@code value}, the same text {@link JsonNode#toString()} gives. */
    public static String of(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "null";
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "true" : "false";
        }
        if (value.isContainer() && value.isEmpty()) {
            return value.isObject() ? "{}" : "[]";
        }
        return JSON.writeValueAsString(value);
    }

    /**
     * Parses JSON text; blank text is an empty object.
     *
     * @throws JacksonException when the text is not JSON
     */
    public static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        String t = text.strip();
        switch (t) {
            case "{}":
                return JsonNodeFactory.instance.objectNode();
            case "null":
                return JsonNodeFactory.instance.nullNode();
            default:
                return JSON.readTree(t);
        }
    }
}
