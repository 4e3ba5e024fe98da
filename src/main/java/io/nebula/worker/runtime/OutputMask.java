package io.nebula.worker.runtime;

import io.nebula.worker.redact.Redaction;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A node's output with every secret value this process resolved masked ({@link
 * Redaction#hideSecrets}), before it is stored or read by other nodes: a response that echoes a
 * token is kept with {@code ***} in its place. Strings and object keys are masked in place; a
 * number whose digits hold a secret becomes the string {@code ***}. The JSON stays valid and keeps
 * its shape otherwise. Later nodes see the masked output, as a resumed execution would.
 */
final class OutputMask {
    private OutputMask() {}

    /** {@code output} itself when its JSON text {@code text} holds no secret, else a masked copy. */
    static JsonNode of(JsonNode output, String text) {
        return Redaction.holdsSecret(text) ? mask(output) : output;
    }

    private static JsonNode mask(JsonNode n) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (n.isString()) {
            return f.stringNode(Redaction.hideSecrets(n.asString()));
        }
        if (n.isNumber()) {
            return Redaction.holdsSecret(n.toString()) ? f.stringNode(Redaction.HIDDEN) : n;
        }
        if (n.isArray()) {
            ArrayNode a = f.arrayNode();
            n.forEach(item -> a.add(mask(item)));
            return a;
        }
        if (n.isObject()) {
            ObjectNode o = f.objectNode();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                o.set(Redaction.hideSecrets(e.getKey()), mask(e.getValue()));
            }
            return o;
        }
        return n;
    }
}
