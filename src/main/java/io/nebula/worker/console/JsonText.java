package io.nebula.worker.console;

import io.nebula.worker.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON as people read it: indented, and shortened past a size a page can show. */
final class JsonText {
    /** The most characters of one JSON value a page shows. */
    static final int MAX_CHARS = 64 * 1024;

    private static final JsonMapper PRETTY = Json.INDENTED;

    private JsonText() {}

    /** Indented JSON, or the text as it is when it does not parse; {@code null} stays {@code null}. */
    static String pretty(String json) {
        if (json == null) {
            return null;
        }
        try {
            return shorten(PRETTY.writeValueAsString(PRETTY.readTree(json)));
        } catch (JacksonException e) {
            return shorten(json);
        }
    }

    static String pretty(JsonNode n) {
        return shorten(PRETTY.writeValueAsString(n));
    }

    static String shorten(String s) {
        return s.length() <= MAX_CHARS
                ? s
                : s.substring(0, MAX_CHARS) + "\n… (" + (s.length() - MAX_CHARS) + " more characters not shown)";
    }
}
