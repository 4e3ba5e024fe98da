package io.nebula.worker.action.builtin;

import io.nebula.worker.action.ActionException;
import io.nebula.worker.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a response body up to a cap and shapes the action's output {@code {status, headers,
 * body}}. The body is streamed so that an oversized response is aborted at the cap instead of
 * being buffered whole.
 */
final class ResponseReader {
    private static final JsonMapper JSON = Json.MAPPER;

    private ResponseReader() {}

    /** Reads at most {@code cap} bytes; closing the stream early makes the client drop the rest. */
    static byte[] readCapped(InputStream in, long cap, HttpHeaders headers) throws IOException, ActionException {
        try (in) {
            long declared = headers.firstValueAsLong("content-length").orElse(-1);
            if (declared > cap) {
                throw tooLarge(cap, "declares " + declared + " bytes");
            }
            byte[] buf = new byte[8192];
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
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
    }

    private static ActionException tooLarge(long cap, String detail) {
        return ActionException.permanent(
                "response body exceeds the " + cap + "-byte cap (" + detail + "); raise http.max_response_bytes");
    }

    static ObjectNode output(int status, HttpHeaders headers, byte[] body) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("status", status);
        ObjectNode h = out.putObject("headers");
        Map<String, List<String>> sorted = new TreeMap<>();
        headers.map().forEach((k, v) -> sorted.put(k.toLowerCase(Locale.ROOT), v));
        sorted.forEach((k, v) -> h.put(k, String.join(", ", v)));
        String text = new String(body, StandardCharsets.UTF_8);
        String type = headers.firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
        JsonNode parsed = null;
        if (type.contains("json") && !text.isBlank()) {
            try {
                parsed = JSON.readTree(text);
            } catch (JacksonException e) {
                parsed = null; // a server that mislabels its body: keep the text
            }
        }
        out.set("body", parsed != null ? parsed : JsonNodeFactory.instance.stringNode(text));
        return out;
    }
}
