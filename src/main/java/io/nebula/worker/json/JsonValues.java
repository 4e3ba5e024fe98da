package io.nebula.worker.json;

import java.util.ArrayDeque;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * Counts the JSON values in a tree: every object, array, string, number, boolean and null is one
 * value, wherever it sits. The byte limits count a document's text, but its heap once parsed grows
 * with the number of values: {@code {}} is 2 bytes of text and about 90 bytes as a parsed object,
 * so the value count is what bounds the memory of a document made of many small values.
 */
public final class JsonValues {
    private JsonValues() {}

    /**
     * The number of values in {@code node} (a missing or Java {@code null} node counts as one, the
     * JSON {@code null} it stands for), or a number above {@code stopAbove} as soon as the count
     * passes it: a caller comparing with a limit need not walk the rest of a huge tree.
     */
    public static long count(JsonNode node, long stopAbove) {
        if (node == null || !node.isContainer() || node.isEmpty()) {
            return 1;
        }
        long n = 0;
        ArrayDeque<JsonNode> pending = new ArrayDeque<>();
        pending.push(node);
        while (!pending.isEmpty()) {
            JsonNode v = pending.pop();
            n++;
            if (n > stopAbove) {
                return n;
            }
            if (v.isContainer()) {
                for (JsonNode child : v.values()) {
                    pending.push(child);
                }
            }
        }
        return n;
    }

    /**
     * The characters of text in {@code node}: every string value and property name, or a number
     * above {@code stopAbove} as soon as the sum passes it. Numbers, booleans and nulls hold none.
     */
    public static long textLength(JsonNode node, long stopAbove) {
        if (node == null || !node.isContainer() && !node.isString()) {
            return 0;
        }
        long n = 0;
        ArrayDeque<JsonNode> pending = new ArrayDeque<>();
        pending.push(node);
        while (!pending.isEmpty() && n <= stopAbove) {
            JsonNode v = pending.pop();
            if (v.isString()) {
                n += v.asString().length();
            } else if (v.isObject()) {
                for (var e : v.properties()) {
                    n += e.getKey().length();
                    pending.push(e.getValue());
                }
            } else if (v.isArray()) {
                for (JsonNode child : v.values()) {
                    pending.push(child);
                }
            }
        }
        return n;
    }

    /**
     * The number of values in the JSON document {@code text}, read as tokens without building a
     * tree, or a number above {@code stopAbove} as soon as the count passes it.
     *
     * @throws JacksonException when the text is not JSON (up to where the count stopped)
     */
    public static long countText(String text, long stopAbove) {
        long n = 0;
        try (JsonParser p = Json.MAPPER.createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (isValue(t) && ++n > stopAbove) {
                    return n;
                }
            }
        }
        return n;
    }

    /** Whether a token starts a value: a scalar, or an object or array (their ends and property names do not). */
    public static boolean isValue(JsonToken t) {
        return t.isScalarValue() || t.isStructStart();
    }
}
