package io.nebula.worker.workflow;

import io.nebula.worker.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The canonical text of a definition: JSON with object keys sorted (by UTF-16 code units) at
 * every level, array order kept, no whitespace. JSON and YAML files that mean the same tree get
 * the same text, hence the same content hash, which pins executions to exactly what was
 * submitted.
 */
final class Canonical {
    private static final JsonMapper JSON = Json.MAPPER;

    private Canonical() {}

    static String json(JsonNode tree) {
        return JSON.writeValueAsString(tree.isObject() || tree.isArray() ? sorted(tree) : tree);
    }

    /** Lower-case hex SHA-256 of the UTF-8 text. */
    static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A copy of {@code n} with object keys sorted at every level. */
    static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            Map<String, JsonNode> m = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                m.put(e.getKey(), sorted(e.getValue()));
            }
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            m.forEach(o::set);
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (JsonNode item : n) {
                a.add(sorted(item));
            }
            return a;
        }
        return n;
    }
}
