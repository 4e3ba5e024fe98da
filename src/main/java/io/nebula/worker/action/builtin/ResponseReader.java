package io.nebula.worker.action.builtin;

import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ValueBudget;
import io.nebula.worker.json.Json;
import io.nebula.worker.json.JsonValues;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hc.core5.http.Header;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a response body up to a cap and shapes the action's output {@code {status, headers,
 * body}}. The body is streamed so that an oversized response is abandoned at the cap instead of
 * being buffered whole.
 */
final class ResponseReader {
    private static final JsonMapper JSON = Json.MAPPER;

    private ResponseReader() {}

    /**
     * Reads {@code in} to its end, at most {@code cap} bytes. The stream is left open: a caller
     * that gives up on a body (past the cap, out of time) must drop the connection instead of
     * closing the stream, which would read the rest of the body first.
     *
     * @param declared the length the response announces, or -1
     */
    static byte[] readCapped(InputStream in, long cap, long declared) throws IOException, ActionException {
        if (declared > cap) {
            throw tooLarge(cap, "declares " + declared + " bytes");
        }
        if (in == null) {
            return new byte[0];
        }
        byte[] buf = new byte[declared >= 0 && declared < 8192 ? (int) declared + 1 : 8192];
        ByteArrayOutputStream out = new ByteArrayOutputStream(buf.length);
        long total = 0;
        int n;
        while ((n = in.read(buf)) != -1) {
            total += n;
            if (total > cap) {
                throw tooLarge(cap, "is longer");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static ActionException tooLarge(long cap, String detail) {
        return ActionException.permanent(
                "response body exceeds the " + cap + "-byte cap (" + detail + "); raise http.max_response_bytes"
                        + " (up to about 1 MiB: the node's whole output, body included, is at most 1048576 bytes)");
    }

    /** The response's headers by lower-case name, sorted, each name's values in the order received. */
    static Map<String, List<String>> headers(Header[] received) {
        Map<String, List<String>> byName = new TreeMap<>();
        for (Header h : received) {
            byName.computeIfAbsent(h.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1))
                    .add(h.getValue());
        }
        return byName;
    }

    /** The first value of a header, or {@code ""}. */
    static String first(Map<String, List<String>> headers, String lowerCaseName) {
        List<String> values = headers.get(lowerCaseName);
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    /**
     * The node's output: status, headers and the body, parsed when it is labelled JSON and is JSON
     * (else kept as text).
     *
     * @throws ActionException (permanent) when a JSON body holds more than {@code maxValues} JSON
     *     values, or more than {@code budget} lets its execution take: parsed, such a body (a
     *     megabyte of {@code {}}) would take about 30 times its size in memory, on as many threads
     *     as nodes run at once
     */
    static ObjectNode output(
            int status, Map<String, List<String>> headers, byte[] body, long maxValues, ValueBudget budget)
            throws ActionException {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("status", status);
        ObjectNode h = out.putObject("headers");
        headers.forEach((k, v) -> h.put(k, String.join(", ", v)));
        String text = new String(body, StandardCharsets.UTF_8);
        String type = first(headers, "content-type").toLowerCase(Locale.ROOT);
        JsonNode parsed = null;
        if (type.contains("json") && !text.isBlank()) {
            try {
                long values = JsonValues.countText(text, maxValues);
                if (values > maxValues) {
                    throw ActionException.permanent(
                            "response body holds more than " + maxValues + " JSON values (limits.execution_values)");
                }
                if (!budget.claim(values)) {
                    throw ActionException.permanent("response body holds " + values + " JSON values, more than"
                            + " its execution can take beside what it holds and what the nodes running with it"
                            + " receive (limit " + budget.limit() + ", limits.execution_values)");
                }
                parsed = JSON.readTree(text);
            } catch (JacksonException e) {
                parsed = null; // a server that mislabels its body: keep the text
            }
        }
        out.set("body", parsed != null ? parsed : JsonNodeFactory.instance.stringNode(text));
        return out;
    }
}
